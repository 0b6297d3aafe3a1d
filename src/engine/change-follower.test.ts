// Two engines over one PostgreSQL store (PGlite, in this process), each with its own index
// directory, as two nodes would be: each follows the other's writes through the change feed,
// and a restarted one catches up from its snapshot's watermark instead of rebuilding.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { openPglite } from '../../test/support/pglite-driver.js';
import { tempDir } from '../../test/support/server.js';
import { MemoryQueue, PgBlobStore, PgStore, type PgDriver } from '../store/index.js';
import { createVision } from '../vision/index.js';
import { createEngine, type Engine } from './index.js';

const options = {
  image: { maxBytes: 4 * 1024 * 1024, minPx: 16, maxPx: 4096 },
  defaults: { descriptors: { product: 'colour-hist-rgb512@1', generic: 'colour-hist-rgb512@1' }, capacity: 1000 },
  search: { exactMaxCandidates: 1000 },
  index: { snapshotEvery: 3 },
  // No NOTIFY reaches a follower while it is closed; polling is the fallback being tested too.
  changes: { pollMs: 50, keepS: 86_400 },
};

describe('engines following one store', () => {
  let driver: PgDriver;
  let dir: string;
  let a: Engine;
  let b: Engine;

  /** A node: its own store handle on the shared database (closing it leaves the database open). */
  const node = async (name: string) => {
    const shared: PgDriver = { ...driver, close: async () => undefined };
    const store = await PgStore.open(shared);
    return createEngine({
      store, blobs: new PgBlobStore(shared), queue: new MemoryQueue(), node: name, vision: createVision({ pool: { size: 1 } }),
      indexDir: join(dir, name, 'indexes'), tasks: { dir: join(dir, name, 'tasks'), buckets: {} }, options,
    });
  };
  const add = async (e: Engine, productId: string, seed: number) => e.addImage('shop', { productId, picName: 'a.jpg', bytes: await scene(seed) });
  const top = async (e: Engine, seed: number) => (await e.searchByPicture('shop', { bytes: await scene(seed), num: 1, crop: false })).hits[0]?.image.productId;

  before(async () => {
    dir = await tempDir();
    driver = await openPglite();
    a = await node('a');
    b = await node('b');
  });
  after(async () => {
    await a.close();
    await b.close();
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an instance and images written on one engine are searchable on the other', async () => {
    await a.createInstance({ name: 'shop' });
    for (let i = 0; i < 4; i++) await add(i % 2 ? b : a, `p${i}`, 300 + i);
    await a.settle();
    await b.settle();
    for (let i = 0; i < 4; i++) {
      assert.equal(await top(a, 300 + i), `p${i}`);
      assert.equal(await top(b, 300 + i), `p${i}`);
    }
  });

  test('replace, delete and attribute changes reach the other engine, text index included', async () => {
    await add(a, 'p0', 400);
    await b.deleteImages('shop', { productId: 'p1' });
    await a.updateImage('shop', { productId: 'p2', picName: 'a.jpg' }, { customContent: 'zebra striped sofa' });
    await a.settle();
    await b.settle();
    assert.equal(await top(b, 400), 'p0', 'the replacement is indexed on b');
    assert.notEqual(await top(a, 301), 'p1', 'the delete reached a');
    const res = await b.searchByPicture('shop', { bytes: await scene(400), num: 10, crop: false });
    assert.equal(res.docsFound, 3, 'no stale entry of the replaced or deleted image is left on b');
    assert.equal((await b.searchByText('shop', { text: 'zebra' })).hits[0]?.image.productId, 'p2');
  });

  test('a restarted engine replays what it missed from its snapshot watermark', async () => {
    await b.close();
    for (let i = 10; i < 14; i++) await add(a, `p${i}`, 300 + i);
    await a.deleteImages('shop', { productId: 'p3' });
    b = await node('b');
    const report = b.startup.find((r) => r.instance === 'shop');
    assert.equal(report?.source, 'snapshot');
    assert.equal(report?.catchUp, 'replay');
    assert.equal(report?.size, 6);
    assert.equal(await top(b, 312), 'p12');
  });

  test('an augmented (product) instance keeps the same neighbour lists on both engines: the same scores', async () => {
    await a.createInstance({ name: 'aug', serviceType: 'product' });
    await b.settle();
    for (let i = 0; i < 4; i++) await (i % 2 ? a : b).addImage('aug', { productId: `q${i}`, picName: 'a.jpg', bytes: await scene(600 + i), categoryId: 0 });
    await b.settle();
    // b is down while a writes: it replays these changes in one batch, a applied them one by one.
    await b.close();
    for (let i = 4; i < 40; i++) await a.addImage('aug', { productId: `q${i}`, picName: 'a.jpg', bytes: await scene(600 + i), categoryId: 0 });
    await a.deleteImages('aug', { productId: 'q2' });
    b = await node('b');
    await b.settle();
    const ranking = async (e: Engine, seed: number) => (await e.searchByPicture('aug', { bytes: await scene(seed), num: 10, crop: false, categoryId: 0 })).hits.map((h) => [h.image.productId, h.score]);
    for (const seed of [600, 613, 627, 639]) {
      const onA = await ranking(a, seed);
      assert.equal(onA.length, 10);
      assert.deepEqual(await ranking(b, seed), onA);
    }
  });

  test('a reindex on one engine switches the other to the new descriptor', async () => {
    const res = await a.reindex('shop', { descriptor: 'phash-64@1' });
    assert.equal(res.failed.length, 0);
    await b.settle();
    assert.equal((await b.getInstance('shop')).descriptor, 'phash-64@1');
    // Hashes of these synthetic scenes may tie: compare whole rankings, identical on both engines.
    const ranking = async (e: Engine) => (await e.searchByPicture('shop', { bytes: await scene(311), num: 6 })).hits.map((h) => [h.image.productId, h.score]);
    const onB = await ranking(b);
    assert.deepEqual(onB, await ranking(a));
    assert.equal(onB.length, 6);
    assert.equal(onB[0][1], 1, 'the picture itself is at distance 0 under the new descriptor');
  });

  test('deleting the instance on one engine drops it on the other', async () => {
    await b.deleteInstance('shop');
    await a.settle();
    await assert.rejects(a.searchByPicture('shop', { bytes: await scene(300) }), (e: { code?: string }) => e.code === 'INSTANCE_NOT_FOUND');
    await a.createInstance({ name: 'shop' });
    await b.settle();
    assert.equal((await b.searchByPicture('shop', { bytes: await scene(300), num: 5, crop: false })).docsFound, 0, 'the new instance starts empty, not with the old index');
  });
});
