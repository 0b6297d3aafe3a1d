// Several tusou nodes over one PostgreSQL, as real processes on loopback:
//  1. replication delay: an image added on node A, acknowledged, until node B's index ranks it
//     first (search by that image on B, polled);
//  2. distributed ingestion throughput: one IncreaseInstance batch of N pictures with 1 queue
//     worker (on A) vs 2 workers (one on A, one on B).
// Usage: npx tsx bench/multi-node.ts [--pg postgres://…] [--adds 40] [--images 60] [--out bench/results/multi-node.json]
// (--pg defaults to TUSOU_TEST_PG_URL; each run uses and drops a fresh schema.)

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { scene } from '../test/support/images.js';
import { spawnServer, type ServerProcess } from '../test/support/process.js';
import { tempDir } from '../test/support/server.js';
import { percentile } from './lib/metrics.js';

const { values } = parseArgs({ options: {
  pg: { type: 'string', default: process.env.TUSOU_TEST_PG_URL ?? '' },
  adds: { type: 'string', default: '40' },
  images: { type: 'string', default: '60' },
  out: { type: 'string', default: 'bench/results/multi-node.json' },
} });
if (!values.pg) throw new Error('give --pg postgres://user:password@host/db (or set TUSOU_TEST_PG_URL)');
const ADDS = Number(values.adds);
const IMAGES = Number(values.images);
const AK = 'TSBENCHMULTI';
const SECRET = 'bench-multi-node-secret';
const Client = sdk.default;

const schema = `bench_${Date.now().toString(36)}`;
const url = new URL(values.pg);
url.searchParams.set('schema', schema);
const root = await tempDir('tusou-bench-multi-');
const db = new pg.Client({ connectionString: values.pg });
await db.connect();
const bucket = join(root, 'bucket');
const env = {
  TUSOU_STORE: url.toString(), TUSOU_DETECTOR: 'saliency', TUSOU_VISION_WORKERS: '1', TUSOU_LOG_LEVEL: 'warn',
  TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${bucket}`,
};
const nodes: ServerProcess[] = [];
const start = async (i: number, workers: number) => {
  nodes[i] = await spawnServer(join(root, `node-${i}`), { ...env, TUSOU_NODE_ID: `bench-${i}`, TUSOU_INGEST_WORKERS: String(workers) });
};
const stopAll = async () => {
  for (const n of nodes) { n.child.kill('SIGTERM'); await n.exited; }
};
const api = (base: string, path: string, json: unknown) => fetch(base + path, {
  method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json', authorization: `Bearer ${AK}:${SECRET}` },
});
const rows: Record<string, string | number>[] = [];

try {
  // 1. Replication delay A → B.
  await start(0, 0);
  await start(1, 0);
  await api(nodes[0].url, '/api/v1/instances', { name: 'bench' });
  const delays: number[] = [];
  const addMs: number[] = [];
  for (let i = 0; i < ADDS; i++) {
    const picture = (await scene(10_000 + i)).toString('base64');
    const t0 = performance.now();
    const res = await api(nodes[0].url, '/api/v1/instances/bench/images', { productId: `r${i}`, picName: 'a.png', picture });
    if (res.status !== 201) throw new Error(`add failed: ${res.status} ${await res.text()}`);
    const acked = performance.now();
    addMs.push(acked - t0);
    for (;;) {
      const hit = await (await api(nodes[1].url, '/api/v1/instances/bench/search/by-image', { productId: `r${i}`, picName: 'a.png', num: 1 })).json() as { hits?: { productId: string }[] };
      if (hit.hits?.[0]?.productId === `r${i}`) break;
      if (performance.now() - acked > 30_000) throw new Error(`r${i} never became searchable on node B`);
    }
    delays.push(performance.now() - acked);
  }
  rows.push({ measure: 'add on A, acknowledged (ms)', n: ADDS, p50: +percentile(addMs, 50).toFixed(1), p95: +percentile(addMs, 95).toFixed(1), max: +Math.max(...addMs).toFixed(1) });
  rows.push({ measure: 'replication delay A→B until B ranks it first (ms)', n: ADDS, p50: +percentile(delays, 50).toFixed(1), p95: +percentile(delays, 95).toFixed(1), max: +Math.max(...delays).toFixed(1) });
  await stopAll();

  // 2. Ingestion throughput: the same batch with 1 and 2 workers.
  await mkdir(join(bucket, 'batch'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    await writeFile(join(bucket, 'batch', `i${i}.jpg`), await scene(20_000 + i, { width: 1024, height: 768, format: 'jpeg' }));
    lines.push(JSON.stringify({ ProductId: `i${i}`, PicName: `i${i}.jpg` }));
  }
  await writeFile(join(bucket, 'batch', 'increment.meta'), lines.join('\n'));
  for (const workers of [1, 2]) {
    const name = `ingest${workers}`;
    await start(0, 1);
    await start(1, workers - 1);
    await api(nodes[0].url, '/api/v1/instances', { name });
    const client = new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(nodes[0].url).host, protocol: 'http', readTimeout: 60_000 }));
    const t0 = performance.now();
    const started = await client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: name, bucketName: 'shop', path: '/batch' }));
    const id = Number(started.body?.data?.id);
    let status = 'PROCESSING';
    while (status === 'PROCESSING') {
      await new Promise((r) => setTimeout(r, 100));
      status = (await db.query(`SELECT status FROM ${schema}.tasks WHERE id = $1`, [id])).rows[0].status as string;
    }
    const s = (performance.now() - t0) / 1000;
    const count = (await db.query(`SELECT image_count FROM ${schema}.instances WHERE name = $1`, [name])).rows[0].image_count as number;
    rows.push({ measure: `IncreaseInstance, ${workers} worker${workers > 1 ? 's (2 nodes)' : ' (1 node)'}: ${status}, ${count} images`, n: IMAGES, seconds: +s.toFixed(1), 'images/s': +(IMAGES / s).toFixed(2) });
    await stopAll();
  }
} finally {
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
  await db.end();
  await rm(root, { recursive: true, force: true });
}

console.table(rows);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, JSON.stringify({ node: process.version, at: new Date().toISOString(), adds: ADDS, images: IMAGES, rows }, null, 1));
