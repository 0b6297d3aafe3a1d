// Core engine benchmark: durable ingestion rate and k-NN search latency (p50/p95) with recall@10
// for N synthetic clustered 512-d vectors, through the production store, index and planner.
//   npx tsx bench/core.ts [--sizes 1000,10000,100000] [--queries 200] [--quick]
// Prints a table and writes bench/results/core.json.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ATTRIBUTES, type Instance } from '../src/domain/index.js';
import { Collection, FlatIndex, defaultIndexSpec } from '../src/index/index.js';
import { SqliteStore, type NewImage } from '../src/store/index.js';
import { Embeddings } from './synthetic.js';
import { FILTER_CASES, timeSearches } from './lib/knn-cases.js';
import { percentile } from './lib/metrics.js';

const { values: args } = parseArgs({
  options: { sizes: { type: 'string' }, queries: { type: 'string', default: '200' }, quick: { type: 'boolean', default: false }, spec: { type: 'string' } },
});
const SIZES = (args.sizes ?? (args.quick ? '1000,10000' : '1000,10000,100000')).split(',').map(Number);
const QUERIES = args.quick ? 50 : Number(args.queries);
const DIM = 512;
const DESCRIPTOR = 'colour-hist-rgb512@1'; // a registered 512-d float descriptor; the vectors are synthetic

function record(i: number): NewImage {
  return {
    productId: `p${i}`, picName: `${i}.jpg`, ...DEFAULT_ATTRIBUTES, categoryId: 88888888, intAttr: i % 100,
    region: { x1: 0, y1: 0, x2: 1, y2: 1 }, regions: [], width: 1, height: 1, format: 'jpeg',
    sha256: '0'.repeat(64), bytes: 1, createdAt: 0, updatedAt: 0,
  };
}

interface Row { n: number; case: string; p50Ms: number; p95Ms: number; recallAt10?: number; ratePerS?: number }
const rows: Row[] = [];

const emb = new Embeddings(DIM);

for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'tusou-bench-'));
  const instance: Instance = { name: 'b', serviceType: 'generic', capacity: n + 10_000, descriptor: DESCRIPTOR, metric: 'cosine', index: args.spec ?? defaultIndexSpec({ metric: 'cosine', kind: 'float', dim: DIM }), createdAt: 0 };
  const data = [...emb.generate(n, 1)];
  const queries = [...emb.generate(QUERIES, 2)];

  // 1. Durable ingestion: one add = one fsynced transaction + index insert, as AddImage does.
  const durable = new SqliteStore(join(dir, 'durable.db'), { synchronous: 'FULL' });
  await durable.createInstance(instance);
  const durableIndex = Collection.create(instance.index, { metric: 'cosine', kind: 'float', dim: DIM });
  const m = Math.min(n, args.quick ? 300 : 2000);
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < m; i++) {
    const t = performance.now();
    const put = await durable.putImage('b', record(i), { [DESCRIPTOR]: data[i] }, instance.capacity);
    durableIndex.add(put.label, data[i], record(i));
    lat.push(performance.now() - t);
  }
  rows.push({ n, case: `add (durable, ${m} adds)`, p50Ms: percentile(lat, 50), p95Ms: percentile(lat, 95), ratePerS: m / ((performance.now() - t0) / 1000) });
  await durable.close();

  // 2. Bulk-load the collection (synchronous=NORMAL only to build the test set quickly).
  const store = new SqliteStore(join(dir, 'bulk.db'), { synchronous: 'NORMAL' });
  await store.createInstance(instance);
  const collection = Collection.create(instance.index, { metric: 'cosine', kind: 'float', dim: DIM });
  const truth = new FlatIndex({ metric: 'cosine', kind: 'float', dim: DIM });
  const tb = performance.now();
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const put = await store.putImage('b', record(i), { [DESCRIPTOR]: data[i] }, instance.capacity);
    collection.add(put.label, data[i], record(i));
    truth.add(put.label, data[i]);
    labels.push(put.label);
  }
  rows.push({ n, case: `bulk build (store + ${instance.index})`, p50Ms: NaN, p95Ms: NaN, ratePerS: n / ((performance.now() - tb) / 1000) });

  // 3. Search latency and recall: no filter, 10 % filter, 1 % filter, through the planner.
  const parts = { store, collection, exactMaxCandidates: 5000 };
  for (const c of FILTER_CASES) {
    const allowed = new Set(labels.filter((_, i) => c.keep(i)));
    const r = await timeSearches(parts, instance, queries, c.filter, (q) => new Set(truth.search(q, 10, (l) => allowed.has(l)).map((h) => h.label)));
    rows.push({ n, case: `search, ${c.name} [${r.path}]`, p50Ms: r.p50Ms, p95Ms: r.p95Ms, recallAt10: r.recallAt10 });
  }
  // Baseline: exact float32 scan over everything.
  const flatTimes = queries.map((q) => { const t = performance.now(); truth.search(q, 10); return performance.now() - t; });
  rows.push({ n, case: 'baseline: exact float32 scan', p50Ms: percentile(flatTimes, 50), p95Ms: percentile(flatTimes, 95), recallAt10: 1 });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`n=${n} done\n`);
}

const fmt = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
console.log(`\ntusou core benchmark — ${DIM}-d synthetic clustered vectors (64-d latent), ${QUERIES} queries, node ${process.version}, ${new Date().toISOString()}\n`);
console.log('| N | case | p50 ms | p95 ms | recall@10 | rate /s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.n} | ${r.case} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${fmt(r.recallAt10, 3)} | ${fmt(r.ratePerS, 0)} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/core.json', JSON.stringify({ dim: DIM, queries: QUERIES, node: process.version, at: new Date().toISOString(), rows }, null, 1));
