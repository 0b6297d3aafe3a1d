import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../../../test/support/server.js';
import { DEFAULT_ATTRIBUTES, isTusouError, parseFilter, type Instance } from '../../domain/index.js';
import type { NewImage } from '../store.js';
import { MIGRATIONS } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const instance: Instance = { name: 'i', serviceType: 'generic', capacity: 3, descriptor: 'd@1', metric: 'cosine', index: 'flat', createdAt: 1 };

function image(productId: string, picName: string, extra: Partial<NewImage> = {}): NewImage {
  return {
    productId, picName, ...DEFAULT_ATTRIBUTES, categoryId: 88888888,
    region: { x1: 0, y1: 0, x2: 10, y2: 10 }, regions: [], width: 10, height: 10, format: 'png',
    sha256: 'a'.repeat(64), bytes: 1, createdAt: 1, updatedAt: 1, ...extra,
  };
}

describe('SqliteStore', () => {
  let dir: string;
  let store: SqliteStore;
  before(async () => {
    dir = await tempDir();
    store = new SqliteStore(join(dir, 'db'));
    await store.createInstance(instance);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('labels are never reused, so a replaced image gets a new label', async () => {
    const a = await store.putImage('i', image('p', 'x'), { 'd@1': Float32Array.of(1, 0) }, 3);
    const b = await store.putImage('i', image('p', 'x', { intAttr: 5 }), { 'd@1': Float32Array.of(0, 1) }, 3);
    assert.equal(b.replaced, a.label);
    assert.ok(b.label > a.label);
    assert.deepEqual([...(await store.getVectors('d@1', [b.label])).get(b.label)!], [0, 1]);
    assert.equal((await store.getVectors('d@1', [a.label])).size, 0, 'the old vector is gone with its image');
    assert.equal(await store.countImages('i'), 1);
  });

  test('capacity is enforced inside the write transaction; replacing does not count', async () => {
    await store.putImage('i', image('p', 'y'), {}, 3);
    await store.putImage('i', image('p', 'z'), {}, 3);
    await assert.rejects(store.putImage('i', image('p', 'w'), {}, 3), (e) => isTusouError(e, 'INSTANCE_FULL'));
    await store.putImage('i', image('p', 'z', { intAttr: 9 }), {}, 3);
    assert.equal(await store.countImages('i'), 3);
  });

  test('SQL-looking values are data, never SQL', async () => {
    const evil = `x' OR 1=1; DROP TABLE images; --`;
    await store.deleteImages('i', { productId: 'p' });
    await store.putImage('i', image('p', 'evil', { strAttr: evil }), {}, 3);
    await store.putImage('i', image('p', 'plain'), {}, 3);
    const sel = { filter: parseFilter(`str_attr = "${evil}"`) };
    assert.deepEqual((await store.listImages('i', sel, { limit: 10 })).map((r) => r.picName), ['evil']);
    assert.equal(await store.countImages('i'), 2);
  });

  test('an instance delete reports originals no image references any more', async () => {
    await store.createInstance({ ...instance, name: 'j' });
    await store.putImage('j', image('p', 'shared', { sha256: 'b'.repeat(64) }), {}, 10);
    await store.putImage('j', image('p', 'own', { sha256: 'c'.repeat(64) }), {}, 10);
    await store.putImage('i', image('q', 'shared', { sha256: 'b'.repeat(64) }), {}, 10);
    const res = await store.deleteInstance('j');
    assert.equal(res.existed, true);
    assert.deepEqual(res.orphanedBlobs, ['c'.repeat(64)]);
    assert.equal(await store.getInstance('j'), undefined);
  });

  test('an access key keeps its scope: instances, read-only and its QPS limit', async () => {
    await store.createAccessKey({ id: 'scoped', secret: 's', description: '', createdAt: 1, instances: ['a', 'b'], readOnly: true, qps: 5 });
    await store.createAccessKey({ id: 'open', secret: 's', description: '', createdAt: 2 });
    assert.deepEqual(await store.getAccessKey('scoped'), { id: 'scoped', secret: 's', description: '', createdAt: 1, instances: ['a', 'b'], readOnly: true, qps: 5 });
    assert.deepEqual(await store.getAccessKey('open'), { id: 'open', secret: 's', description: '', createdAt: 2 });
  });

  test('a database written before key scopes opens and its keys stay unrestricted', async () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    for (const [v, sql] of MIGRATIONS.slice(0, 2).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${v + 1}`);
    }
    old.prepare("INSERT INTO access_keys (id, secret, description, created_at) VALUES ('old', 's', 'd', 3)").run();
    old.close();
    const reopened = new SqliteStore(file);
    try {
      assert.deepEqual(await reopened.getAccessKey('old'), { id: 'old', secret: 's', description: 'd', createdAt: 3 });
    } finally {
      await reopened.close();
    }
  });

  test('a database that cannot be opened gives STORE_UNAVAILABLE, not a crash', async () => {
    await assert.rejects(async () => new SqliteStore(join(dir, 'missing-dir', 'db')), (e) => isTusouError(e, 'STORE_UNAVAILABLE'));
  });
});
