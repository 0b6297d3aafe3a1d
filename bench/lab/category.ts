// Descriptor lab for category-level retrieval: what post-processing of the shipped deep
// descriptors would buy on the category datasets (Caltech-101, fashion), measured as exact
// all-vs-all mAP (query excluded, relevant = same group), outside the engine. Tries: the raw
// descriptors, their concatenation, signed square root, PCA whitening learned on the dataset's own
// images (unsupervised: what an instance could learn from what it holds), and average query
// expansion (αQE) on top.
//   npx tsx bench/lab/category.ts --data /work/shared/datasets [--cache /tmp/tusou-lab-category]
// Vectors are cached per dataset and descriptor; a second run only evaluates.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { decodeImage, toRaw } from '../../src/imaging/index.js';
import { getExtractor } from '../../src/vision/index.js';
import { loadDatasets } from '../lib/datasets.js';
import { averagePrecision, mean } from '../lib/metrics.js';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, cache: { type: 'string', default: '/tmp/tusou-lab-category' } } });
if (!args.data) {
  process.stderr.write('usage: npx tsx bench/lab/category.ts --data <datasets dir> [--cache DIR]\n');
  process.exit(2);
}
const DESCRIPTORS = ['mnv2mid-gap1792@1', 'centernet-gem480@1'];
const LIMITS = { maxBytes: 64 * 1024 * 1024, minPx: 1, maxPx: 16384 };
mkdirSync(args.cache, { recursive: true });

type Vecs = Float64Array[];
const l2 = (v: Float64Array) => { let s = 0; for (const x of v) s += x * x; const n = Math.sqrt(s) || 1; return v.map((x) => x / n); };
const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

async function vectors(dataset: string, files: string[], descriptor: string): Promise<Vecs> {
  const file = join(args.cache!, `${dataset}.${descriptor.replace(/\W/g, '_')}.json`);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as number[][]).map((v) => Float64Array.from(v));
  const e = getExtractor(descriptor);
  const out: Vecs = [];
  for (const f of files) {
    const img = await decodeImage(readFileSync(f), LIMITS);
    out.push(Float64Array.from(await e.extract(await toRaw(img, e.input)) as Float32Array));
  }
  writeFileSync(file, JSON.stringify(out.map((v) => [...v])));
  return out;
}

/** Exact all-vs-all mAP, the query left out. */
function mAP(vs: Vecs, groups: string[]): number {
  return mean(vs.map((q, i) => {
    const ranked = vs.map((v, j) => ({ j, s: j === i ? -Infinity : dot(q, v) })).sort((a, b) => b.s - a.s).slice(0, vs.length - 1);
    const rel = ranked.map((r) => groups[r.j] === groups[i]);
    return averagePrecision(rel, groups.filter((g) => g === groups[i]).length - 1);
  }));
}

/** PCA whitening learned on `vs`: centre, rotate onto the top `dims` components, divide by σ^power, L2. */
function whiten(vs: Vecs, dims: number, power = 1): Vecs {
  const n = vs.length;
  const d = vs[0].length;
  const mu = new Float64Array(d);
  for (const v of vs) for (let i = 0; i < d; i++) mu[i] += v[i] / n;
  const X = new Matrix(vs.map((v) => [...v].map((x, i) => x - mu[i])));
  // The Gram matrix (n × n) has the same non-zero spectrum as the covariance and is smaller.
  const G = X.mmul(X.transpose());
  const evd = new EigenvalueDecomposition(G, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]).slice(0, Math.min(dims, n - 1));
  const U = evd.eigenvectorMatrix;
  // Principal directions: Xᵀ u / √λ; projected coordinates of the data: X · dir = √λ · u.
  const dirs = order.map(([l, i]) => { const u = U.getColumnVector(i); const w = X.transpose().mmul(u).div(Math.sqrt(Math.max(l, 1e-12))); return w.to1DArray(); });
  const sig = order.map(([l]) => Math.sqrt(Math.max(l, 1e-12) / n));
  return vs.map((v) => {
    const c = v.map((x, i) => x - mu[i]);
    return l2(Float64Array.from(dirs.map((w, k) => { let s = 0; for (let i = 0; i < d; i++) s += w[i] * c[i]; return s / sig[k] ** power; })));
  });
}

/**
 * Query-side αQE, as a search can do it: a query (left out of the database) is replaced by the
 * weighted sum of itself and its k nearest database vectors (weights similarity^α), and the
 * expanded query ranks the unchanged database. Exact all-vs-all mAP of that.
 */
function mAPWithQE(vs: Vecs, groups: string[], k: number, alpha = 3): number {
  return mean(vs.map((q, i) => {
    const first = vs.map((v, j) => ({ j, s: j === i ? -Infinity : dot(q, v) })).sort((a, b) => b.s - a.s);
    const e = Float64Array.from(q);
    for (const { j, s } of first.slice(0, k)) { const w = Math.max(0, s) ** alpha; for (let x = 0; x < e.length; x++) e[x] += w * vs[j][x]; }
    const ranked = vs.map((v, j) => ({ j, s: j === i ? -Infinity : dot(e, v) })).sort((a, b) => b.s - a.s).slice(0, vs.length - 1);
    return averagePrecision(ranked.map((r) => groups[r.j] === groups[i]), groups.filter((g) => g === groups[i]).length - 1);
  }));
}

/** Database-side augmentation (DBA) with αQE: every vector, database and query alike, replaced by the weighted mean of itself and its top-k neighbours. */
function alphaQE(vs: Vecs, k: number, alpha = 3): Vecs {
  return vs.map((q) => {
    const sims = vs.map((v, j) => ({ j, s: dot(q, v) })).sort((a, b) => b.s - a.s).slice(0, k + 1);
    const out = new Float64Array(q.length);
    for (const { j, s } of sims) { const w = Math.max(0, s) ** alpha; for (let i = 0; i < out.length; i++) out[i] += w * vs[j][i]; }
    return l2(out);
  });
}

const ssqrt = (vs: Vecs) => vs.map((v) => l2(v.map((x) => Math.sign(x) * Math.sqrt(Math.abs(x)))));
const concat = (a: Vecs, b: Vecs, wb = 1) => a.map((v, i) => l2(Float64Array.from([...v, ...b[i].map((x) => x * wb)])));

const rows: string[] = [];
for (const ds of loadDatasets(args.data).filter((d) => d.protocol === 'category')) {
  const files = ds.items.map((it) => it.path);
  const groups = ds.items.map((it) => it.group);
  const [m, c] = [await vectors(ds.name, files, DESCRIPTORS[0]), await vectors(ds.name, files, DESCRIPTORS[1])];
  const variants: [string, () => Vecs][] = [
    ['mnv2mid (raw)', () => m], ['centernet-gem (raw)', () => c], ['concat mnv2mid ⊕ centernet', () => concat(m, c)],
    ['mnv2mid signed √', () => ssqrt(m)],
    ['mnv2mid PCA-whitened 128', () => whiten(m, 128)], ['mnv2mid PCA-whitened 256', () => whiten(m, 256)],
    ['mnv2mid PCA-whitened 256, σ^0.5', () => whiten(m, 256, 0.5)], ['mnv2mid PCA 256, no whitening', () => whiten(m, 256, 0)],
    ['concat PCA-whitened 256, σ^0.5', () => whiten(concat(m, c), 256, 0.5)],
    ['mnv2mid + DBA/αQE (k=3)', () => alphaQE(m, 3)], ['mnv2mid + DBA/αQE (k=5)', () => alphaQE(m, 5)],
    ['concat PCA-whitened 256 σ^0.5 + DBA/αQE (k=3)', () => alphaQE(whiten(concat(m, c), 256, 0.5), 3)],
  ];
  const qe: [string, () => number][] = [
    ['mnv2mid + query-side αQE (k=2)', () => mAPWithQE(m, groups, 2)], ['mnv2mid + query-side αQE (k=3)', () => mAPWithQE(m, groups, 3)],
    ['mnv2mid + query-side αQE (k=5)', () => mAPWithQE(m, groups, 5)], ['mnv2mid + query-side αQE (k=10)', () => mAPWithQE(m, groups, 10)],
    ['concat + query-side αQE (k=3)', () => mAPWithQE(concat(m, c), groups, 3)],
  ];
  const only = process.env.LAB_ONLY_QE === '1';
  for (const [name, run] of [...(only ? [] : variants.map(([n, make]) => [n, () => mAP(make(), groups)] as [string, () => number])), ...qe]) {
    const t0 = performance.now();
    const value = run();
    rows.push(`| ${ds.name} | ${name} | ${value.toFixed(3)} |`);
    process.stderr.write(`${ds.name} ${name}: ${value.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
}
console.log(`\n| dataset | variant | mAP (exact, all-vs-all) |\n|---|---|---|\n${rows.join('\n')}`);
