import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isTusouError, type ErrorCode, type Task } from '../domain/index.js';
import { createVision } from '../vision/index.js';
import { scene } from '../../test/support/images.js';
import { tempDir } from '../../test/support/server.js';
import { ON_POSTGRES, dropTestStore, openTestStorage } from '../../test/support/stores.js';
import { createEngine, type Engine } from './index.js';

const refused = (code: ErrorCode) => (e: unknown) => {
  assert.ok(isTusouError(e), String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

async function openEngine(dir: string, buckets: Record<string, string>): Promise<Engine> {
  await mkdir(dir, { recursive: true });
  const storage = await openTestStorage(dir);
  return createEngine({
    store: storage.store,
    blobs: storage.blobs,
    queue: storage.queue,
    node: storage.node,
    vision: createVision(),
    indexDir: join(dir, 'indexes'),
    tasks: { dir: join(dir, 'tasks'), buckets },
    options: {
      image: { maxBytes: 4 * 1024 * 1024, minPx: 16, maxPx: 4096 },
      defaults: { descriptors: { product: 'colour-hist-rgb512@1', generic: 'colour-hist-rgb512@1' }, capacity: 1000 },
      search: { exactMaxCandidates: 1000 },
      index: { snapshotEvery: 1000 },
    },
  });
}

/** Run a task to its end and return it as finished. */
function finished(start: (hooks: { onFinish(t: Task, unexpected?: unknown): void }) => Promise<Task>): Promise<Task> {
  return new Promise((resolve, reject) => {
    start({ onFinish: (t, unexpected) => (unexpected ? reject(unexpected) : resolve(t)) }).catch(reject);
  });
}

describe('background tasks', () => {
  let root: string;
  let bucket: string;
  let engine: Engine;

  before(async () => {
    root = await tempDir();
    bucket = join(root, 'bucket');
    await mkdir(join(bucket, 'batch', 'imgs'), { recursive: true });
    for (let i = 1; i <= 3; i++) await writeFile(join(bucket, 'batch', 'imgs', `p${i}.jpg`), await scene(i));
    await writeFile(join(bucket, 'batch', 'increment.meta'), [
      JSON.stringify({ OperationType: 'ADD', ProductId: 'p1', PicName: 'imgs/p1.jpg', IntAttr: 1, StrAttr: 'a', Region: '0,100,0,100', CustomContent: 'one' }),
      JSON.stringify({ ProductId: 'p2', PicName: 'imgs/p2.jpg', IntAttr: 2 }),
      JSON.stringify({ ProductId: 'p3', PicName: 'imgs/p3.jpg', IntAttr: 3 }),
      '',
      '{"ProductId":"p4","PicName":"imgs/p4.jpg"}',
      '{"ProductId":"x"} {"ProductId":"y"}',
      JSON.stringify({ ProductId: 'p5', PicName: '../../outside.jpg' }),
      JSON.stringify({ OperationType: 'DELETE', ProductId: 'p3' }),
      JSON.stringify({ OperationType: 'UPSERT', ProductId: 'p6' }),
      JSON.stringify({ ProductId: 'p7', PicName: 'imgs/evil.jpg' }),
    ].join('\n'));
    await writeFile(join(root, 'outside.jpg'), await scene(9));
    await symlink(join(root, 'outside.jpg'), join(bucket, 'batch', 'imgs', 'evil.jpg'));
    await mkdir(join(bucket, 'empty'));
    await symlink(root, join(bucket, 'escape'));
    engine = await openEngine(join(root, 'data'), { shop: bucket });
    await engine.createInstance({ name: 'demo', serviceType: 'generic' });
  });
  after(async () => {
    await engine.close();
    await rm(root, { recursive: true, force: true });
    await dropTestStore(join(root, 'data'));
    await dropTestStore(join(root, 'crash'));
  });

  test('an increment adds and deletes line by line, and writes the failed lines to an error file', async () => {
    const t = await finished((hooks) => engine.startIncrement('demo', { bucketName: 'shop', path: '/batch' }, hooks));
    assert.equal(t.status, 'SUCCESS');
    assert.deepEqual(t.counts, { items: 9, added: 3, deleted: 1, failed: 5 });
    assert.match(t.message, /9 lines: 3 added, 1 deleted, 5 failed/);
    assert.deepEqual(t.source, { bucketName: 'shop', path: '/batch' });
    const p1 = await engine.getImage('demo', { productId: 'p1', picName: 'imgs/p1.jpg' });
    assert.deepEqual([p1.intAttr, p1.strAttr, p1.customContent, p1.region], [1, 'a', 'one', { x1: 0, x2: 100, y1: 0, y2: 100 }]);
    assert.equal(await engine.findImage('demo', { productId: 'p3', picName: 'imgs/p3.jpg' }), undefined);
    const file = await engine.getTaskFile(t.id, 'errors');
    const lines = (await readFile(file!.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l.Line, l.Code]), [[5, 'Console.BadRequest'], [6, 'InvalidMetaItem'], [7, 'Console.BadRequest'], [9, 'InvalidMetaItem'], [10, 'Console.BadRequest']]);
    assert.equal(lines[0].ErrorCode, 'PATH_INVALID');
    assert.equal(lines[0].ProductId, 'p4');
    assert.equal(((await stat(file!.path)).mode & 0o077), 0);
  });

  test('an export writes one line per image in the batch format, and it imports again', async () => {
    const t = await finished((hooks) => engine.startExport('demo', hooks));
    assert.equal(t.status, 'SUCCESS');
    assert.equal(t.counts.items, 2);
    const out = await engine.getTaskFile(t.id, 'output');
    const lines = (await readFile(out!.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(lines[0]), ['ProductId', 'PicName', 'CategoryId', 'IntAttr', 'IntAttr2', 'IntAttr3', 'IntAttr4', 'StrAttr', 'StrAttr2', 'StrAttr3', 'StrAttr4', 'CustomContent', 'Region']);
    assert.deepEqual([lines[0].ProductId, lines[0].Region, lines[1].ProductId], ['p1', '0,100,0,100', 'p2']);
    // The export is a valid increment.meta for the folder the pictures live in.
    await mkdir(join(bucket, 'again'));
    await writeFile(join(bucket, 'again', 'increment.meta'), await readFile(out!.path));
    await symlink(join(bucket, 'batch', 'imgs'), join(bucket, 'again', 'imgs'));
    await engine.createInstance({ name: 'copy', serviceType: 'generic' });
    const back = await finished((hooks) => engine.startIncrement('copy', { bucketName: 'shop', path: '/again' }, hooks));
    assert.deepEqual([back.status, back.counts.added], ['SUCCESS', 2]);
    assert.equal((await engine.getImage('copy', { productId: 'p1', picName: 'imgs/p1.jpg' })).customContent, 'one');
  });

  test('bucket paths cannot leave the bucket and must name a folder with increment.meta', async () => {
    await assert.rejects(engine.startIncrement('demo', { bucketName: 'nope', path: '/batch' }), refused('PATH_INVALID'));
    for (const path of ['batch', '/batch/', '/../bucket/batch', '/escape', '/empty', '/missing']) {
      await assert.rejects(engine.startIncrement('demo', { bucketName: 'shop', path }), refused('PATH_INVALID'), path);
    }
    await assert.rejects(engine.startIncrement('demo', { bucketName: 'shop', path: '/batch', callbackAddress: 'ftp://x' }), refused('PARAM_INVALID'));
    await assert.rejects(engine.startIncrement('demo', { bucketName: '', path: '/batch' }), refused('PARAM_MISSING'));
    await assert.rejects(engine.startIncrement('nope', { bucketName: 'shop', path: '/batch' }), refused('INSTANCE_NOT_FOUND'));
  });

  test('one running task per kind and instance', async () => {
    const first = engine.startExport('demo');
    const second = engine.startExport('demo');
    const outcomes = await Promise.allSettled([first, second]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused('TASK_ALREADY_RUNNING')(failed.reason));
    await engine.waitForTasks();
  });

  test('listing pages newest first and filters by id, bucket and path', async () => {
    const all = await engine.listTasks('demo', 'export', {});
    assert.ok(all.total >= 2);
    assert.deepEqual([all.pageNumber, all.pageSize], [1, 10]);
    assert.ok(all.tasks[0].id > all.tasks[1].id);
    const page2 = await engine.listTasks('demo', 'export', { pageNumber: '2', pageSize: '1' });
    assert.deepEqual(page2.tasks.map((t) => t.id), [all.tasks[1].id]);
    assert.equal((await engine.listTasks('demo', 'export', { id: String(all.tasks[1].id) })).tasks[0].id, all.tasks[1].id);
    assert.equal((await engine.listTasks('demo', 'increment', { bucketName: 'shop', path: '/batch' })).total, 1);
    assert.equal((await engine.listTasks('demo', 'increment', { path: '/other' })).total, 0);
    await assert.rejects(engine.listTasks('demo', 'export', { pageSize: '501' }), refused('PARAM_INVALID'));
    await assert.rejects(engine.listTasks('demo', 'export', { pageNumber: '0' }), refused('PARAM_INVALID'));
  });

  test('a task left PROCESSING by a crash is marked failed on the next start', async () => {
    const dir = join(root, 'crash');
    const first = await openEngine(dir, {});
    await first.createInstance({ name: 'c1', serviceType: 'generic' });
    await first.close();
    // What a process killed mid-task leaves behind: a PROCESSING row.
    const { store, queue } = await openTestStorage(dir);
    await queue?.close();
    await store.createTask({ instance: 'c1', kind: 'export', status: 'PROCESSING', message: 'processing', files: {}, counts: { items: 0, added: 0, deleted: 0, failed: 0 }, createdAt: 1, updatedAt: 1 });
    await store.close();
    const second = await openEngine(dir, {});
    try {
      assert.equal(second.interruptedTasks.length, 1);
      const [t] = (await second.listTasks('c1', 'export', {})).tasks;
      assert.equal(t.status, 'FAIL');
      assert.deepEqual(t.error, { code: 'TASK_INTERRUPTED', aliyun: 'Console.InternalError' });
      assert.match(t.message, /interrupted/);
      // The slot is free again.
      const again = await second.startExport('c1');
      assert.equal(again.status, 'PROCESSING');
      await second.waitForTasks();
    } finally {
      await second.close();
    }
  });
});

describe('access keys', () => {
  test('create returns the secret once; list hides it; revoke marks it; the db file is owner-only', async () => {
    const dir = await tempDir();
    const engine = await openEngine(dir, {});
    try {
      const k = await engine.createAccessKey({ description: 'ci' });
      assert.match(k.id, /^TS[A-Z2-9]{22}$/);
      assert.equal(k.secret.length, 30);
      const [listed] = await engine.listAccessKeys();
      assert.equal(listed.id, k.id);
      assert.equal('secret' in listed, false);
      assert.equal((await engine.findAccessKey(k.id))?.secret, k.secret);
      await engine.revokeAccessKey(k.id);
      assert.ok((await engine.findAccessKey(k.id))?.revokedAt);
      await assert.rejects(engine.revokeAccessKey('TSNOPE'), refused('AUTH_KEY_NOT_FOUND'));
      await assert.rejects(engine.createAccessKey({ description: 'x'.repeat(201) }), refused('PARAM_INVALID'));
      if (!ON_POSTGRES) assert.equal((await stat(join(dir, 'tusou.db'))).mode & 0o077, 0);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
      await dropTestStore(dir);
    }
  });
  test('a key can be limited to instances, to reading and to a QPS; bad scopes are refused', async () => {
    const dir = await tempDir();
    const engine = await openEngine(dir, {});
    try {
      const k = await engine.createAccessKey({ instances: ['shop', 'shop', 'other'], readOnly: true, qps: 5 });
      const found = await engine.findAccessKey(k.id);
      assert.deepEqual(found?.instances, ['shop', 'other']);
      assert.equal(found?.readOnly, true);
      assert.equal(found?.qps, 5);
      await assert.rejects(engine.createAccessKey({ instances: ['../etc'] }), refused('INSTANCE_NAME_INVALID'));
      await assert.rejects(engine.createAccessKey({ instances: [] }), refused('PARAM_INVALID'));
      await assert.rejects(engine.createAccessKey({ qps: 0 }), refused('PARAM_INVALID'));
      await assert.rejects(engine.createAccessKey({ readOnly: 'yes' }), refused('PARAM_INVALID'));
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
