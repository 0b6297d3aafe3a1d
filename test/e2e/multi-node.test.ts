// Several tusou nodes over one PostgreSQL, as real processes on loopback: writes on any node are
// searchable on every node; a node killed with SIGKILL during a distributed import (while one of
// its workers runs a job) loses nothing, duplicates nothing, and catches up from its snapshot's
// watermark when it comes back.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { scene } from '../support/images.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { tempDir } from '../support/server.js';
import { ON_POSTGRES, freshPgSchema } from '../support/stores.js';

const Client = sdk.default;
const AK = 'TSMULTINODE';
const SECRET = 'multi-node-secret';
const AUTH = { authorization: `Bearer ${AK}:${SECRET}` };

async function call(url: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method, headers: { ...AUTH, ...(json === undefined ? {} : { 'content-type': 'application/json' }) }, body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function topHit(url: string, seed: number): Promise<{ productId?: string; docsFound: number }> {
  const { body } = await call(url, 'POST', '/api/v1/instances/m/search', { picture: (await scene(seed)).toString('base64'), num: 1 });
  const hits = body.hits as { productId: string }[] | undefined;
  return { productId: hits?.[0]?.productId, docsFound: body.docsFound as number };
}

/** Poll `probe` until it returns true or `ms` pass. */
async function eventually(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('three nodes over one PostgreSQL', { skip: ON_POSTGRES ? false : 'runs on the PostgreSQL pass of npm test (TUSOU_TEST_PG_URL)' }, () => {
  let root: string;
  let schema: Awaited<ReturnType<typeof freshPgSchema>>;
  let env: Record<string, string>;
  const nodes: ServerProcess[] = [];
  const dirs: string[] = [];

  const start = async (i: number, extra: Record<string, string> = {}) => {
    nodes[i] = await spawnServer(dirs[i], { ...env, TUSOU_NODE_ID: `node-${i}`, ...extra });
    return nodes[i];
  };
  const stop = async (i: number, signal: NodeJS.Signals) => {
    nodes[i].child.kill(signal);
    return nodes[i].exited;
  };

  before(async () => {
    root = await tempDir('tusou-multi-');
    schema = await freshPgSchema();
    env = {
      TUSOU_STORE: schema.url, TUSOU_STORE_POOL: '3', TUSOU_DETECTOR: 'saliency', TUSOU_VISION_WORKERS: '1',
      TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${join(root, 'bucket')}`,
      // A job whose worker died is delivered again after 6 s (pg-boss maintenance every 3 s).
      TUSOU_JOB_TIMEOUT_S: '6', TUSOU_SNAPSHOT_EVERY: '5',
    };
    for (let i = 0; i < 3; i++) dirs.push(join(root, `node-${i}`));
    // One at a time: the first applies the migrations, the others find them applied.
    for (let i = 0; i < 3; i++) await start(i, { TUSOU_INGEST_WORKERS: '0' });
  });

  after(async () => {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) { n.child.kill('SIGKILL'); await n.exited; }
    await rm(root, { recursive: true, force: true });
    await schema.drop();
  });

  test('an instance created and images added on different nodes are searchable on every node', async () => {
    assert.equal((await call(nodes[0].url, 'POST', '/api/v1/instances', { name: 'm' })).status, 201);
    for (let i = 0; i < 9; i++) {
      const res = await call(nodes[i % 3].url, 'POST', '/api/v1/instances/m/images', { productId: `a${i}`, picName: 'x.jpg', picture: (await scene(500 + i)).toString('base64') });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    for (const n of nodes) {
      for (let i = 0; i < 9; i++) await eventually(`a${i} on ${n.url}`, async () => (await topHit(n.url, 500 + i)).productId === `a${i}`);
    }
    // A delete on one node and a replace on another reach the third.
    assert.equal((await call(nodes[1].url, 'DELETE', '/api/v1/instances/m/images/a0/x.jpg')).status, 200);
    assert.equal((await call(nodes[2].url, 'POST', '/api/v1/instances/m/images', { productId: 'a1', picName: 'x.jpg', picture: (await scene(600)).toString('base64') })).status, 200);
    await eventually('the delete and the replace on node 0', async () => {
      const gone = (await topHit(nodes[0].url, 500)).productId !== 'a0';
      const replaced = (await topHit(nodes[0].url, 600)).productId === 'a1';
      return gone && replaced && (await topHit(nodes[0].url, 600)).docsFound === 8;
    });
  });

  test('a node killed mid-job during a distributed import loses and duplicates nothing, and catches up from its snapshot', async () => {
    const bucket = join(root, 'bucket', 'batch');
    await mkdir(bucket, { recursive: true });
    const N = 40;
    const lines: string[] = [];
    for (let i = 0; i < N; i++) {
      await writeFile(join(bucket, `b${i}.png`), await scene(700 + i, { format: 'png', width: 640, height: 480 }));
      lines.push(JSON.stringify({ ProductId: `b${i}`, PicName: `b${i}.png`, IntAttr: i }));
    }
    await writeFile(join(bucket, 'increment.meta'), lines.join('\n'));
    // Node 2 is the only worker at first, so the job in progress when it dies is its.
    await stop(2, 'SIGTERM');
    await start(2, { TUSOU_INGEST_WORKERS: '1' });
    const client = new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(nodes[0].url).host, protocol: 'http' }));
    const started = await client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'm', bucketName: 'shop', path: '/batch' }));
    const taskId = Number(started.body?.data?.id);

    const db = new pg.Client({ connectionString: process.env.TUSOU_TEST_PG_URL });
    await db.connect();
    const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;
    let acknowledged = 0;
    let activeAtKill: string[] = [];
    try {
      // The jobs seen active are the ones the kill interrupts: read them in the same probe, so a job
      // that finishes between the probe and a second query cannot leave the list empty.
      await eventually('node 2 is running a job after adding a few', async () => {
        const done = await count(`SELECT count(*)::int AS n FROM ${schema.schema}.images WHERE product_id LIKE 'b%'`);
        activeAtKill = (await db.query(`SELECT id FROM ${schema.schema}_boss.job WHERE state = 'active'`)).rows.map((r) => r.id as string);
        acknowledged = done;
        return done >= 8 && activeAtKill.length >= 1;
      }, 60_000);
      assert.equal(await stop(2, 'SIGKILL'), 'SIGKILL');
      const killedAt = new Date();
      // Meanwhile writes keep arriving on the other nodes and are acknowledged.
      for (let i = 0; i < 3; i++) {
        assert.equal((await call(nodes[i % 2].url, 'POST', '/api/v1/instances/m/images', { productId: `c${i}`, picName: 'x.jpg', picture: (await scene(800 + i)).toString('base64') })).status, 201);
      }
      // Node 1 takes over the queue; node 2 comes back later and catches up.
      await stop(1, 'SIGTERM');
      await start(1, { TUSOU_INGEST_WORKERS: '1' });
      await start(2, { TUSOU_INGEST_WORKERS: '1' });
      await eventually('the import task finishes', async () => {
        const rows = (await db.query(`SELECT status FROM ${schema.schema}.tasks WHERE id = $1`, [taskId])).rows;
        return rows[0]?.status !== 'PROCESSING';
      }, 120_000);
      const task = (await db.query(`SELECT status, message, counts FROM ${schema.schema}.tasks WHERE id = $1`, [taskId])).rows[0];
      assert.equal(task.status, 'SUCCESS', JSON.stringify(task));
      assert.deepEqual(JSON.parse(task.counts as string), { items: N, added: N, deleted: 0, failed: 0 });
      // The job node 2 was running when it died was delivered again (unless it had just finished).
      // If its items had all been recorded before the kill, the task can finish while that job is
      // still 'active': it is redelivered once it expires (TUSOU_JOB_TIMEOUT_S=6) and then completes.
      await eventually('the killed job is redelivered and completes', async () =>
        (await db.query(`SELECT 1 FROM ${schema.schema}_boss.job WHERE id = ANY($1::uuid[]) AND state <> 'completed'`, [activeAtKill])).rows.length === 0, 60_000);
      const jobs = (await db.query(`SELECT id, state, retry_count, completed_on FROM ${schema.schema}_boss.job WHERE id = ANY($1::uuid[])`, [activeAtKill])).rows;
      assert.ok(jobs.length >= 1, `the jobs active at the kill (${activeAtKill.join(', ') || 'none'}) are still in the queue`);
      for (const j of jobs) {
        assert.equal(j.state, 'completed');
        assert.ok((j.retry_count as number) >= 1 || (j.completed_on as Date) <= killedAt, `job ${j.id} was not delivered again`);
      }
    } finally {
      await db.end();
    }
    const report = nodes[2].logs.find((l) => l.msg === 'index ready' && l.instance === 'm');
    assert.equal(report?.source, 'snapshot', JSON.stringify(report));
    assert.equal(report?.catchUp, 'replay', 'it replayed the change feed from its snapshot, no rebuild');

    assert.ok(acknowledged >= 8);

    // Every node: 8 + N + 3 images in the store and exactly as many in its index.
    const total = 8 + N + 3;
    for (const n of nodes) {
      const detail = await call(n.url, 'GET', '/api/v1/instances/m');
      assert.equal(detail.body.imageCount, total);
      await eventually(`node ${n.url} index holds ${total}`, async () => (await topHit(n.url, 700)).docsFound === total);
      for (let i = 0; i < N; i += 7) assert.equal((await topHit(n.url, 700 + i)).productId, `b${i}`);
      for (let i = 0; i < 3; i++) assert.equal((await topHit(n.url, 800 + i)).productId, `c${i}`);
    }
  });
});
