// The Store and BlobStore contracts, one suite run against every implementation: SQLite, PGlite
// (PostgreSQL in WebAssembly) and, when TUSOU_TEST_PG_URL is set, a real PostgreSQL server.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPglite } from '../../test/support/pglite-driver.js';
import { tempDir } from '../../test/support/server.js';
import { PG_URL, freshPgSchema } from '../../test/support/stores.js';
import { DEFAULT_ATTRIBUTES, isTusouError, parseFilter, type Instance, type Task } from '../domain/index.js';
import {
  FolderBlobStore, NodePgDriver, PgBlobStore, PgStore, SqliteStore, parsePgUrl, type BlobStore, type NewImage, type Store,
} from './index.js';

const instance: Instance = { name: 'i', serviceType: 'generic', capacity: 3, descriptor: 'd@1', metric: 'cosine', index: 'flat', createdAt: 1 };

function image(productId: string, picName: string, extra: Partial<NewImage> = {}): NewImage {
  return {
    productId, picName, ...DEFAULT_ATTRIBUTES, categoryId: 88888888,
    region: { x1: 0, y1: 0, x2: 10, y2: 10 }, regions: [], width: 10, height: 10, format: 'png',
    sha256: 'a'.repeat(64), bytes: 1, createdAt: 1, updatedAt: 1, ...extra,
  };
}

interface Subject {
  store: Store;
  blobs: BlobStore;
  /** A second handle on the same data, as another node would have (undefined for SQLite). */
  other?: () => Promise<Store>;
  close(): Promise<void>;
}

const implementations: [string, () => Promise<Subject>][] = [
  ['SQLite', async () => {
    const dir = await tempDir();
    const store = new SqliteStore(join(dir, 'db'));
    return { store, blobs: new FolderBlobStore(join(dir, 'originals')), close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
  ['PGlite', async () => {
    const driver = await openPglite();
    const store = await PgStore.open(driver);
    return { store, blobs: new PgBlobStore(driver), close: () => store.close() };
  }],
];
if (PG_URL) {
  implementations.push(['PostgreSQL', async () => {
    const s = await freshPgSchema();
    const open = () => PgStore.open(new NodePgDriver(parsePgUrl(s.url), { max: 3 }), { schema: s.schema });
    const store = await open();
    const others: Store[] = [];
    return {
      store, blobs: new PgBlobStore(store.driver),
      other: async () => { const o = await open(); others.push(o); return o; },
      close: async () => { for (const o of others) await o.close(); await store.close(); await s.drop(); },
    };
  }]);
}

for (const [name, make] of implementations) {
  describe(`Store contract: ${name}`, () => {
    let s: Subject;
    let store: Store;
    before(async () => {
      s = await make();
      store = s.store;
      await store.createInstance(instance);
    });
    after(() => s.close());

    test('labels are never reused, so a replaced image gets a new label', async () => {
      const a = await store.putImage('i', image('p', 'x'), { 'd@1': Float32Array.of(1, 0) }, 3);
      const b = await store.putImage('i', image('p', 'x', { intAttr: 5 }), { 'd@1': Float32Array.of(0, 1) }, 3);
      assert.equal(b.replaced, a.label);
      assert.ok(b.label > a.label);
      assert.deepEqual([...(await store.getVectors('d@1', [b.label])).get(b.label)!], [0, 1]);
      assert.equal((await store.getVectors('d@1', [a.label])).size, 0, 'the old vector is gone with its image');
      assert.equal(await store.countImages('i'), 1);
      assert.equal((await store.getImage('i', { productId: 'p', picName: 'x' }))?.intAttr, 5);
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
      assert.equal(await store.countImages('i', sel), 1);
    });

    test('every image field survives the round trip, including Unicode and the largest int32 values', async () => {
      await store.createInstance({ ...instance, name: 'rt', capacity: 10 });
      const rec = image('商品-1', 'pic 1.jpg', {
        categoryId: 3, intAttr: 2147483647, intAttr2: -2147483648, intAttr3: 7, intAttr4: 0,
        strAttr: '红色', strAttr2: "it's", strAttr3: 'x y', strAttr4: 'z', customContent: '{"a":1} ✓',
        regions: [{ box: { x1: 1, y1: 2, x2: 3, y2: 4 }, label: 'cup', categoryId: 9, score: 0.5 }],
        width: 640, height: 480, format: 'jpeg', sha256: 'b'.repeat(64), bytes: 12345, createdAt: 1700000000000, updatedAt: 1700000000001,
      });
      const put = await store.putImage('rt', rec, { 'd@1': Float32Array.of(0.25, -1.5), 'bits@1': Uint8Array.of(0xa5, 0x0f) }, 10);
      assert.deepEqual(await store.getImage('rt', { productId: '商品-1', picName: 'pic 1.jpg' }), { ...rec, label: put.label });
      const v = await store.getVectors('bits@1', [put.label]);
      assert.ok(v.get(put.label) instanceof Uint8Array);
      assert.deepEqual([...v.get(put.label)!], [0xa5, 0x0f]);
      assert.deepEqual((await store.getImagesByLabel('rt', [put.label, 999999])).get(put.label)?.customContent, '{"a":1} ✓');
      const patched = await store.updateImage('rt', { productId: '商品-1', picName: 'pic 1.jpg' }, { strAttr: '蓝色', intAttr: -1 }, 1700000000002);
      assert.equal(patched?.strAttr, '蓝色');
      assert.equal(patched?.intAttr, -1);
      assert.equal(patched?.updatedAt, 1700000000002);
      assert.equal(await store.updateImage('rt', { productId: 'none', picName: 'x' }, { intAttr: 1 }, 1), undefined);
      assert.deepEqual(Object.fromEntries(await store.categoryCounts('rt')), { 3: 1 });
    });

    test('paging, label selection, vectors missing and their scan follow label order', async () => {
      await store.createInstance({ ...instance, name: 'pg', capacity: 100 });
      const labels: number[] = [];
      for (let n = 0; n < 12; n++) {
        const vectors: Record<string, Float32Array> = n % 3 === 0 ? {} : { 'd@1': Float32Array.of(n, 1) };
        labels.push((await store.putImage('pg', image(`p${n % 4}`, `n${n}`, { intAttr: n }), vectors, 100)).label);
      }
      const page1 = await store.listImages('pg', {}, { limit: 5 });
      const page2 = await store.listImages('pg', {}, { afterLabel: page1[4].label, limit: 5 });
      assert.deepEqual([...page1, ...page2].map((r) => r.label), labels.slice(0, 10));
      assert.deepEqual((await store.listImages('pg', {}, { offset: 10, limit: 5 })).map((r) => r.label), labels.slice(10));
      assert.deepEqual((await store.selectLabels('pg', { productId: 'p1' })).sort((a, b) => a - b), [labels[1], labels[5], labels[9]]);
      assert.deepEqual((await store.selectLabels('pg', { filter: parseFilter('int_attr >= 10') })).sort((a, b) => a - b), [labels[10], labels[11]]);
      assert.deepEqual(await store.labelsWithoutVector('pg', 'd@1'), [labels[0], labels[3], labels[6], labels[9]]);
      const scanned: number[] = [];
      for await (const batch of store.scanVectors('pg', 'd@1', 3)) scanned.push(...batch.map(([l]) => l));
      assert.deepEqual(scanned, labels.filter((_, n) => n % 3 !== 0));
      await store.putVectors('d@1', [[labels[0], Float32Array.of(0, 0)], [999999, Float32Array.of(1, 1)]]);
      assert.deepEqual(await store.labelsWithoutVector('pg', 'd@1'), [labels[3], labels[6], labels[9]]);
      await store.deleteVectors('pg', 'd@1');
      assert.equal((await store.labelsWithoutVector('pg', 'd@1')).length, 12);
      await store.updateInstance('pg', { descriptor: 'e@2', metric: 'l2', index: 'hnsw:m=8' });
      const updated = await store.getInstance('pg');
      assert.deepEqual([updated?.descriptor, updated?.metric, updated?.index], ['e@2', 'l2', 'hnsw:m=8']);
      const del = await store.deleteImages('pg', { filter: parseFilter('int_attr < 2') });
      assert.deepEqual(del.deleted.map((d) => d.picName), ['n0', 'n1']);
      assert.equal(await store.countImages('pg'), 10);
    });

    test('an instance delete reports originals no image references any more', async () => {
      await store.createInstance({ ...instance, name: 'j' });
      await assert.rejects(store.createInstance({ ...instance, name: 'j' }), (e) => isTusouError(e, 'INSTANCE_EXISTS'));
      await store.putImage('j', image('p', 'shared', { sha256: 'b'.repeat(64) }), {}, 10);
      await store.putImage('j', image('p', 'own', { sha256: 'c'.repeat(64) }), {}, 10);
      await store.putImage('i', image('q', 'shared', { sha256: 'b'.repeat(64) }), {}, 10);
      const res = await store.deleteInstance('j');
      assert.equal(res.existed, true);
      assert.deepEqual(res.orphanedBlobs, ['c'.repeat(64)]);
      assert.equal(await store.getInstance('j'), undefined);
      assert.equal((await store.deleteInstance('j')).existed, false);
      assert.equal(await store.isBlobReferenced('b'.repeat(64)), true);
      assert.equal(await store.isBlobReferenced('c'.repeat(64)), false);
    });

    test('the change feed records every image and instance write, in commit order', async () => {
      const start = await store.lastChange();
      await store.createInstance({ ...instance, name: 'feed', capacity: 10 });
      const a = await store.putImage('feed', image('p', 'a'), { 'd@1': Float32Array.of(1, 0) }, 10);
      const b = await store.putImage('feed', image('p', 'a'), { 'd@1': Float32Array.of(0, 1) }, 10);
      await store.updateImage('feed', { productId: 'p', picName: 'a' }, { intAttr: 3 }, 5);
      await store.putVectors('x@1', [[b.label, Float32Array.of(1, 1)]]);
      const del = await store.deleteImages('feed', { productId: 'p' });
      await store.updateInstance('feed', { descriptor: 'd@1', metric: 'l2', index: 'flat' });
      await store.deleteInstance('feed');
      const page = await store.changesSince(start, 100);
      assert.equal(page.trimmed, false);
      assert.deepEqual(page.changes.map((c) => [c.instance, c.kind, c.labels]), [
        ['feed', 'instance', []],
        ['feed', 'images', [a.label]],
        ['feed', 'images', [a.label, b.label]],
        ['feed', 'images', [b.label]],
        ['feed', 'images', [b.label]],
        ['feed', 'images', del.deleted.map((d) => d.label)],
        ['feed', 'instance', []],
        ['feed', 'instance', []],
      ]);
      const seqs = page.changes.map((c) => c.seq);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
      assert.equal(await store.lastChange(), seqs[seqs.length - 1]);
      assert.deepEqual((await store.changesSince(start, 2)).changes.map((c) => c.seq), seqs.slice(0, 2));
      assert.ok((await store.changesSince(start, 100, 'feed')).changes.every((c) => c.instance === 'feed'));
      assert.equal((await store.changesSince(start, 100, 'other')).changes.length, 0);
      assert.match(await store.storeId(), /^[0-9a-f]{32}$/);
    });

    test('a failed write logs nothing, and watchers wake after writes commit', async () => {
      const before = await store.lastChange();
      await assert.rejects(store.putImage('i', image('full', 'x'), {}, 1), (e) => isTusouError(e, 'INSTANCE_FULL'));
      assert.equal(await store.lastChange(), before);
      const watcher = s.other ? await s.other() : store;
      let woken = 0;
      const stop = await watcher.watchChanges(() => { woken++; });
      await store.updateImage('i', { productId: 'q', picName: 'shared' }, { intAttr: 1 }, 9);
      for (let t = 0; woken === 0 && t < 100; t++) await new Promise((r) => setTimeout(r, 20));
      await stop();
      assert.ok(woken > 0, 'the watcher was woken');
    });

    test('trimming forgets old entries and says so to a follower that is too far behind', async () => {
      const first = await store.lastChange();
      await store.updateImage('i', { productId: 'q', picName: 'shared' }, { intAttr: 2 }, 10);
      const removed = await store.trimChanges(Date.now() + 1);
      assert.ok(removed >= 1);
      assert.equal((await store.changesSince(first, 10)).trimmed, true);
      assert.equal((await store.changesSince(await store.lastChange(), 10)).trimmed, false);
      await store.updateImage('i', { productId: 'q', picName: 'shared' }, { intAttr: 3 }, 11);
      assert.ok((await store.lastChange()) > first, 'sequence numbers are not reused after a trim');
    });

    test('an access key keeps its scope: instances, read-only and its QPS limit', async () => {
      await store.createAccessKey({ id: 'scoped', secret: 's', description: '', createdAt: 1, instances: ['a', 'b'], readOnly: true, qps: 5 });
      await store.createAccessKey({ id: 'open', secret: 's', description: '', createdAt: 2 });
      assert.deepEqual(await store.getAccessKey('scoped'), { id: 'scoped', secret: 's', description: '', createdAt: 1, instances: ['a', 'b'], readOnly: true, qps: 5 });
      assert.deepEqual(await store.getAccessKey('open'), { id: 'open', secret: 's', description: '', createdAt: 2 });
    });

    test('access keys: unique ids, revocation keeps the first time', async () => {
      await store.createAccessKey({ id: 'AK1', secret: 's', description: 'one', createdAt: 5 });
      await assert.rejects(store.createAccessKey({ id: 'AK1', secret: 't', description: '', createdAt: 6 }), (e) => isTusouError(e, 'PARAM_INVALID'));
      assert.equal(await store.revokeAccessKey('AK1', 10), true);
      assert.equal(await store.revokeAccessKey('AK1', 20), true);
      assert.equal(await store.revokeAccessKey('nope', 20), false);
      assert.deepEqual(await store.getAccessKey('AK1'), { id: 'AK1', secret: 's', description: 'one', createdAt: 5, revokedAt: 10 });
      assert.deepEqual((await store.listAccessKeys()).map((k) => k.id).filter((id) => id === 'AK1'), ['AK1'], 'listed once');
    });

    test('tasks: one running per kind, listing filters, and a crash fails only the crashed node\'s tasks', async () => {
      const base: Omit<Task, 'id'> = { instance: 'i', kind: 'increment', status: 'PROCESSING', message: 'processing', files: {}, counts: { items: 0, added: 0, deleted: 0, failed: 0 }, createdAt: 1, updatedAt: 1, source: { bucketName: 'b', path: '/x' } };
      const t1 = await store.createTask(base, 'node-a');
      await assert.rejects(store.createTask(base, 'node-b'), (e) => isTusouError(e, 'TASK_ALREADY_RUNNING'));
      const t2 = await store.createTask({ ...base, kind: 'export', source: undefined }, 'node-b');
      await store.updateTask(t2.id, { counts: { items: 3, added: 0, deleted: 0, failed: 0 }, files: { output: 'meta.ndjson' } }, 2);
      assert.deepEqual((await store.getTask(t2.id))?.files, { output: 'meta.ndjson' });
      const page = await store.listTasks('i', 'increment', { bucketName: 'b', path: '/x', offset: 0, limit: 10 });
      assert.deepEqual([page.total, page.tasks.map((t) => t.id)], [1, [t1.id]]);
      assert.equal((await store.listTasks('i', 'increment', { bucketName: 'other', offset: 0, limit: 10 })).total, 0);
      const failed = await store.failRunningTasks({ code: 'TASK_INTERRUPTED', aliyun: 'InternalError' }, 'stopped', 3, 'node-a');
      assert.deepEqual(failed.map((t) => [t.id, t.status]), [[t1.id, 'FAIL']]);
      assert.equal((await store.getTask(t2.id))?.status, 'PROCESSING', 'another node\'s task keeps running');
      assert.deepEqual((await store.failRunningTasks({ code: 'TASK_INTERRUPTED', aliyun: 'InternalError' }, 'stopped', 4)).map((t) => t.id), [t2.id]);
    });

    test('batch outcomes count each item once, however often it is recorded', async () => {
      await store.recordOutcome('b1', { item: 1, status: 'added', detail: {} });
      await store.recordOutcome('b1', { item: 2, status: 'failed', detail: { code: 'IMAGE_CORRUPT' } });
      await store.recordOutcome('b1', { item: 1, status: 'replaced', detail: {} });
      await store.recordOutcome('b1', { item: 0, status: 'failed', detail: { code: 'PATH_INVALID', file: '中.jpg' } });
      await store.recordOutcome('b2', { item: 1, status: 'deleted', detail: {} });
      assert.deepEqual(await store.batchCounts('b1'), { added: 0, replaced: 1, deleted: 0, failed: 2 });
      assert.deepEqual((await store.batchFailures('b1')).map((o) => [o.item, o.detail]), [[0, { code: 'PATH_INVALID', file: '中.jpg' }], [2, { code: 'IMAGE_CORRUPT' }]]);
      await store.deleteBatch('b1');
      assert.deepEqual(await store.batchCounts('b1'), { added: 0, replaced: 0, deleted: 0, failed: 0 });
      assert.equal((await store.batchCounts('b2')).deleted, 1);
    });

    test('kept originals: stored once, pinned ones survive a delete', async () => {
      const bytes = Buffer.from('original bytes');
      const sha = await s.blobs.put(bytes);
      assert.equal(await s.blobs.put(bytes), sha);
      assert.deepEqual(await s.blobs.get(sha), bytes);
      assert.equal(await s.blobs.has(sha), true);
      const unpin = await s.blobs.pin(sha);
      assert.equal(await s.blobs.isPinned(sha), true);
      assert.equal(await s.blobs.delete(sha), false, 'a pinned original is kept');
      await unpin();
      assert.equal(await s.blobs.isPinned(sha), false);
      const listed: string[] = [];
      for await (const x of s.blobs.list()) listed.push(x);
      assert.ok(listed.includes(sha));
      assert.equal(await s.blobs.delete(sha), true);
      assert.equal(await s.blobs.get(sha), undefined);
      assert.equal(await s.blobs.delete(sha), false);
      await assert.rejects(s.blobs.get('../etc/passwd'), RangeError);
    });
  });
}

test('a shared original referenced again while its delete waits is kept (PostgreSQL)', { skip: PG_URL ? false : 'needs TUSOU_TEST_PG_URL' }, async () => {
  const s = await freshPgSchema();
  const store = await PgStore.open(new NodePgDriver(parsePgUrl(s.url)), { schema: s.schema });
  try {
    await store.createInstance({ ...instance, capacity: 10 });
    const blobs = new PgBlobStore(store.driver);
    const sha = await blobs.put(Buffer.from('x'));
    // Node B reported it orphaned; node A stores an image referencing it before B deletes.
    await store.putImage('i', image('p', 'a', { sha256: sha }), {}, 10);
    assert.equal(await blobs.delete(sha), false);
    assert.equal(await blobs.has(sha), true);
  } finally {
    await store.close();
    await s.drop();
  }
});

test('a PostgreSQL server that cannot be reached gives STORE_UNAVAILABLE', async () => {
  const driver = new NodePgDriver(parsePgUrl('postgres://nobody:x@127.0.0.1:1/none'));
  await assert.rejects(PgStore.open(driver), (e) => isTusouError(e, 'STORE_UNAVAILABLE'));
});

test('a SQLite database that cannot be opened gives STORE_UNAVAILABLE, not a crash', async () => {
  const dir = await tempDir();
  await assert.rejects(async () => new SqliteStore(join(dir, 'missing-dir', 'db')), (e) => isTusouError(e, 'STORE_UNAVAILABLE'));
  rmSync(dir, { recursive: true, force: true });
});
