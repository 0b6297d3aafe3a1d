// Database-side augmentation through the engine: a product instance gets `dba=3` by default, its
// neighbour lists follow adds and deletes, and a restart restores them from the snapshot, so the
// rankings (scores included) are the same before and after.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scene } from '../../test/support/images.js';
import { openSqliteEngine } from '../../test/support/engine.js';
import { tempDir } from '../../test/support/server.js';
import type { Engine } from './index.js';

describe('database-side augmentation in the engine', () => {
  let dir: string;
  let engine: Engine;
  const open = () => openSqliteEngine(dir, { pool: { size: 1 } });
  // Category 0 on every image, so the search is not restricted to a predicted category.
  const ranking = async (seed: number) => (await engine.searchByPicture('shop', { bytes: await scene(seed), num: 20, crop: false, categoryId: 0 }))
    .hits.map((h) => [h.image.productId, h.score] as const);

  before(async () => {
    dir = await tempDir();
    engine = await open();
  });
  after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a product instance augments by default and still finds each picture first', async () => {
    const created = await engine.createInstance({ name: 'shop', serviceType: 'product' });
    assert.match(created.index, /,qe=3,dba=3$/);
    for (let i = 0; i < 12; i++) await engine.addImage('shop', { productId: `p${i}`, picName: 'a.jpg', bytes: await scene(500 + i), categoryId: 0, crop: false });
    for (let i = 0; i < 12; i++) assert.equal((await ranking(500 + i))[0][0], `p${i}`);
  });

  it('a deleted image is gone from the rankings and from the lists that named it', async () => {
    await engine.deleteImages('shop', { productId: 'p3' });
    for (const seed of [500, 503, 507]) assert.ok(!(await ranking(seed)).some(([id]) => id === 'p3'));
    assert.equal((await ranking(507)).length, 11);
  });

  it('a restart restores the neighbour lists: the same rankings, scores included', async () => {
    const before = await Promise.all([500, 504, 509].map(ranking));
    await engine.close();
    engine = await open();
    assert.equal(engine.startup.find((r) => r.instance === 'shop')?.source, 'snapshot');
    const header = JSON.parse(readFileSync(join(dir, 'indexes', 'shop.index.json'), 'utf8')) as { payloads: { neighbours?: string } };
    assert.ok(header.payloads.neighbours, 'the snapshot holds the neighbour lists');
    assert.deepEqual(await Promise.all([500, 504, 509].map(ranking)), before);
  });
});
