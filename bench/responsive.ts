// Does an import block the server? A real `tusou serve` runs a server-side import of N real photos
// (IncreaseInstance over a bucket folder, Crop=true: detection + the instance's default
// descriptor in the vision worker pool) while this script asks GET /api/v1/health every 20 ms and
// searches by picture every second. Reports the import's images/s and the health and search
// latencies during it (the target: health answers in < 50 ms throughout).
//   npx tsx bench/responsive.ts --data /work/shared/datasets [--images 500] [--workers 2]
// Prints a table and writes bench/results/responsive.json. The photos are copied to a temporary
// bucket folder and removed afterwards.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnServer } from '../test/support/process.js';
import { evenSpread, photoFiles } from './lib/photos.js';
import { percentile } from './lib/metrics.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, images: { type: 'string', default: '500' }, workers: { type: 'string', default: String(cpus().length) },
    out: { type: 'string', default: 'bench/results' },
  },
});
if (!args.data) {
  process.stderr.write('usage: npx tsx bench/responsive.ts --data <datasets dir> [--images 500] [--workers N]\n');
  process.exit(2);
}
const N = Number(args.images);
const AK = 'BENCHRESPONSIVE';
const SECRET = 'bench-responsive-secret-0123456789';
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const r1 = (x: number) => Math.round(x * 10) / 10;

const all = photoFiles(args.data);
const files = evenSpread(all, N);
const root = mkdtempSync(join(tmpdir(), 'tusou-responsive-'));
const batch = join(root, 'bucket', 'batch');
mkdirSync(batch, { recursive: true });
files.forEach((f, i) => copyFileSync(f, join(batch, `${i}${extname(f).toLowerCase()}`)));
writeFileSync(join(batch, 'increment.meta'), files.map((f, i) => JSON.stringify({ ProductId: `p${i}`, PicName: `${i}${extname(f).toLowerCase()}` })).join('\n') + '\n');
const query = readFileSync(all[7]).toString('base64');

// The instance gets the real default descriptor of its service type (not the tests' colour histogram).
const server = await spawnServer(join(root, 'data'), {
  TUSOU_LOG_LEVEL: 'warn', TUSOU_DETECTOR: 'centernet', TUSOU_DEFAULT_DESCRIPTOR: '', TUSOU_VISION_WORKERS: args.workers,
  TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${join(root, 'bucket')}`,
});
const auth = { authorization: `Bearer ${AK}:${SECRET}` };
const load0 = loadavg()[0];
try {
  const created = await fetch(`${server.url}/api/v1/instances`, { method: 'POST', body: JSON.stringify({ name: 'shop', serviceType: 'product' }), headers: { 'content-type': 'application/json', ...auth } });
  const instance = (await created.json()) as { descriptor: string };
  // Wait until the workers have their models, as a deployment's readiness probe would.
  for (let i = 0; i < 600 && (await fetch(`${server.url}/api/v1/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  const client = new sdk.default(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(server.url).host, protocol: 'http', readTimeout: 60_000 }));

  const health: number[] = [];
  const searches: number[] = [];
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/v1/health`);
      await res.arrayBuffer();
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const searcher = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/v1/instances/shop/search`, { method: 'POST', body: JSON.stringify({ picture: query, num: 10 }), headers: { 'content-type': 'application/json', ...auth } });
      await res.arrayBuffer();
      if (res.ok) searches.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  log(`importing ${N} photos (descriptor ${instance.descriptor}, Crop=true, ${args.workers} vision workers)`);
  const t0 = performance.now();
  const started = await client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'shop', bucketName: 'shop', path: '/batch' }));
  const id = Number(started.body?.data?.id);
  let task: M.IncreaseListResponseBodyDataIncrementsInstance | undefined;
  while (task?.status !== 'SUCCESS' && task?.status !== 'FAIL') {
    await new Promise((r) => setTimeout(r, 500));
    task = (await client.increaseList(new M.IncreaseListRequest({ instanceName: 'shop', id }))).body?.data?.increments?.instance?.[0];
  }
  const secs = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all([probe, searcher]);

  const over = health.filter((ms) => ms >= 50).length;
  const rows = [
    { case: `import of ${N} photos (IncreaseInstance, Crop=true, ${instance.descriptor})`, value: `${r1(secs)} s, ${r1(N / secs)} images/s, task ${task.status}` },
    { case: `GET /api/v1/health during the import (${health.length} probes)`, value: `p50 ${r1(percentile(health, 50))} ms, p99 ${r1(percentile(health, 99))} ms, max ${r1(Math.max(...health))} ms; ${over} ≥ 50 ms` },
    { case: `search by picture during the import (${searches.length}, Crop=true)`, value: `p50 ${r1(percentile(searches, 50))} ms, p95 ${r1(percentile(searches, 95))} ms` },
  ];
  console.log(`\ntusou responsiveness under import — ${cpus().length} cores, load average ${load0.toFixed(1)} at start / ${loadavg()[0].toFixed(1)} at end, node ${process.version}\n`);
  console.log('| case | measured |\n|---|---|');
  for (const r of rows) console.log(`| ${r.case} | ${r.value} |`);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'responsive.json'), JSON.stringify({
    at: new Date().toISOString(), cores: cpus().length, loadAverage: [load0, loadavg()[0]], images: N, workers: Number(args.workers), descriptor: instance.descriptor,
    importS: secs, imagesPerS: N / secs, task, healthMs: { p50: percentile(health, 50), p99: percentile(health, 99), max: Math.max(...health), n: health.length, over50: over },
    searchMs: { p50: percentile(searches, 50), p95: percentile(searches, 95), n: searches.length },
  }, null, 1));
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(root, { recursive: true, force: true });
}
