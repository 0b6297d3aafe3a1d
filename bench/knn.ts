// k-NN benchmark: latency (p50/p95) and recall@10 against exact search, for 10k, 100k and 1M
// synthetic embeddings (bench/synthetic.ts), with no filter, a 10 % filter and a 1 % filter,
// through the production collection and planner; plus start-up time from a snapshot and RSS per
// image (in a child process), and two baselines measured in the same run: an exact float32 scan
// and a pHash-only (64-bit Hamming) index.
//   npx tsx bench/knn.ts [--sizes 10000,100000,1000000] [--queries 100] [--cache DIR] [--quick]
// Built collections are cached under --cache (default /tmp/tusou-knn-cache) and reused.

import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32, type Instance } from '../src/domain/index.js';
import { IndexRegistry } from '../src/engine/index.js';
import { FlatIndex, TopK, defaultIndexSpec, kernelFor } from '../src/index/index.js';
import { SqliteStore } from '../src/store/index.js';
import { Embeddings } from './synthetic.js';
import { FILTER_CASES, timeSearches } from './lib/knn-cases.js';
import { percentile } from './lib/metrics.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' }, queries: { type: 'string' }, cache: { type: 'string', default: '/tmp/tusou-knn-cache' },
    spec: { type: 'string' }, quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/results' },
  },
});
const SIZES = (args.sizes ?? (args.quick ? '10000' : '10000,100000,1000000')).split(',').map(Number);
const QUERIES = Number(args.queries ?? (args.quick ? 30 : 100));
const DIM = 512;
const DESCRIPTOR = 'colour-hist-rgb512@1'; // a registered 512-d float descriptor; the vectors are synthetic
const SPEC = args.spec ?? defaultIndexSpec({ metric: 'cosine', kind: 'float', dim: DIM });
const emb = new Embeddings(DIM);

/** Bulk-write N synthetic images straight into the store's schema (fixture building only). */
async function build(dir: string, n: number): Promise<number> {
  const t0 = performance.now();
  if (!filled(dir, n)) await fill(dir, n);
  // Build the collection once through the production path and snapshot it.
  const s2 = new SqliteStore(join(dir, 'tusou.db'));
  const registry = new IndexRegistry(s2, join(dir, 'indexes'), 1, () => 0);
  const inst = (await s2.getInstance('b'))!;
  const prepared = await registry.prepare(inst);
  registry.install(inst, prepared.collection, prepared.collection.size + 1);
  await s2.close();
  return (performance.now() - t0) / 1000;
}

/** Whether an earlier run already wrote all N rows (its collection build was cut off). */
function filled(dir: string, n: number): boolean {
  if (!existsSync(join(dir, 'tusou.db'))) return false;
  const db = new Database(join(dir, 'tusou.db'), { readonly: true });
  try {
    return (db.prepare("SELECT image_count AS n FROM instances WHERE name = 'b'").get() as { n: number } | undefined)?.n === n;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

async function fill(dir: string, n: number): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = new SqliteStore(join(dir, 'tusou.db'), { synchronous: 'NORMAL' });
  const instance: Instance = { name: 'b', serviceType: 'generic', capacity: n + 1, descriptor: DESCRIPTOR, metric: 'cosine', index: SPEC, createdAt: 0 };
  await store.createInstance(instance);
  await store.close();
  const db = new Database(join(dir, 'tusou.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const img = db.prepare(`INSERT INTO images (label, instance, product_id, pic_name, category_id, int_attr, int_attr2, int_attr3, int_attr4,
    str_attr, str_attr2, str_attr3, str_attr4, custom_content, region, regions, width, height, format, sha256, bytes, created_at, updated_at)
    VALUES (?, 'b', ?, 'a.jpg', 88888888, ?, 0, 0, 0, '', '', '', '', '', '{"x1":0,"y1":0,"x2":1,"y2":1}', '[]', 1, 1, 'jpeg', ?, 1, 0, 0)`);
  const vec = db.prepare('INSERT INTO vectors (label, descriptor, kind, data) VALUES (?, ?, 0, ?)');
  const sha = '0'.repeat(64);
  let i = 0;
  const batch = db.transaction((vs: Float32Array[]) => {
    for (const v of vs) {
      const label = ++i;
      img.run(label, `p${label}`, (label - 1) % 100, sha);
      vec.run(label, DESCRIPTOR, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    }
  });
  let chunk: Float32Array[] = [];
  for (const v of emb.generate(n, 1)) {
    chunk.push(v);
    if (chunk.length === 5000) { batch(chunk); chunk = []; }
  }
  if (chunk.length) batch(chunk);
  db.prepare('UPDATE instances SET image_count = ?').run(n);
  db.close();
}

interface Row { n: number; case: string; p50Ms?: number; p95Ms?: number; recallAt10?: number; value?: number; unit?: string }
const rows: Row[] = [];

for (const n of SIZES) {
  const dir = join(args.cache, `${n}-${SPEC.replace(/\W+/g, '_')}`);
  if (!existsSync(join(dir, 'indexes', 'b.index.json'))) {
    process.stderr.write(`building ${n} …\n`);
    rows.push({ n, case: 'build fixture (bulk SQL + collection + snapshot)', value: await build(dir, n), unit: 's' });
  }
  // Start-up and memory, measured in a fresh process.
  const child = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/knn-startup.ts', dir, 'b'], { encoding: 'utf8', maxBuffer: 1 << 20 }));
  rows.push({ n, case: `start-up: open from snapshot (${child.source}, ${child.catchUp})`, value: child.openMs / 1000, unit: 's' });
  rows.push({ n, case: 'RSS per image after open', value: (child.rssAfter - child.rssBefore) / n, unit: 'bytes' });

  const store = new SqliteStore(join(dir, 'tusou.db'));
  const instance = (await store.getInstance('b'))!;
  const registry = new IndexRegistry(store, join(dir, 'indexes'), Number.MAX_SAFE_INTEGER, () => 0);
  const { collection } = await registry.prepare(instance);
  const parts = { store, collection, exactMaxCandidates: 5000 };
  // Ground truth: exact scan over the full vectors (regenerated; label i+1 = vector i).
  const full = new FlatIndex({ metric: 'cosine', kind: 'float', dim: DIM }, n);
  let label = 0;
  for (const v of emb.generate(n, 1)) full.add(++label, v);
  const queries = [...emb.generate(QUERIES, 2)];
  for (const c of FILTER_CASES) {
    // Label l is image l − 1.
    const r = await timeSearches(parts, instance, queries, c.filter, (q) => new Set(full.search(q, 10, c.filter ? (l) => c.keep(l - 1) : undefined).map((h) => h.label)));
    rows.push({ n, case: `k-NN, ${c.name} [${r.path}]`, p50Ms: r.p50Ms, p95Ms: r.p95Ms, recallAt10: r.recallAt10 });
    rows.push({ n, case: `baseline: exact float32 scan, ${c.name}`, p50Ms: percentile(r.truthMs, 50), p95Ms: percentile(r.truthMs, 95), recallAt10: 1 });
  }
  // Baseline: a pHash-only index (64-bit codes, Hamming, exact scan) of the same size.
  const r = mulberry32(3);
  const phash = new FlatIndex({ metric: 'hamming', kind: 'binary', dim: 64 }, n);
  for (let i = 1; i <= n; i++) phash.add(i, Uint8Array.from({ length: 8 }, () => Math.floor(r() * 256)));
  const pt: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const q = Uint8Array.from({ length: 8 }, () => Math.floor(r() * 256));
    const t = performance.now();
    phash.search(q, 10);
    pt.push(performance.now() - t);
  }
  rows.push({ n, case: 'baseline: pHash-only index (64-bit Hamming scan)', p50Ms: percentile(pt, 50), p95Ms: percentile(pt, 95) });
  await store.close();
  process.stderr.write(`n=${n} done\n`);
}

const f = (x: number | undefined, d = 2) => (x === undefined ? '' : x.toFixed(d));
console.log(`\nk-NN — ${DIM}-d synthetic embeddings, spec ${SPEC}, ${QUERIES} queries, exact-scan threshold 5000, node ${process.version}\n`);
console.log('| N | case | p50 ms | p95 ms | recall@10 | value |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.n} | ${r.case} | ${f(r.p50Ms)} | ${f(r.p95Ms)} | ${f(r.recallAt10, 3)} | ${r.value === undefined ? '' : `${f(r.value, r.unit === 'bytes' ? 0 : 2)} ${r.unit}`} |`);
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, 'knn.json'), JSON.stringify({ dim: DIM, spec: SPEC, queries: QUERIES, node: process.version, at: new Date().toISOString(), rows }, null, 1));
