// Lab: database-side augmentation (DBA) and centring, in the engine's protocols (query in the
// database for category sets; natural photos against the iconic catalogue for grocery), exact
// search outside the engine on cached vectors (bench/lab/category.ts's cache).
//   npx tsx bench/lab/augment.ts [datasets dir]          variants (LAB_VARIANTS=a,b to pick)
//   LAB_SIM=3 [LAB_PICK=8] npx tsx bench/lab/augment.ts   the engine's shortlist and 128-d projection,
//                                                          neighbours picked in projected space
//   LAB_ONLINE=10 npx tsx bench/lab/augment.ts            lists maintained as images arrive one by one
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, toRaw } from '../../src/imaging/index.js';
import { randomProjection } from '../../src/index/projection.js';
import { getExtractor } from '../../src/vision/index.js';
import { loadDatasets } from '../lib/datasets.js';
import { averagePrecision, mean } from '../lib/metrics.js';

const DATA = process.argv[2] ?? '/work/shared/datasets';
const CACHE = '/tmp/tusou-lab-category';
const DESC = process.env.LAB_DESC ?? 'mnv2mid-gap1792@1';
mkdirSync(CACHE, { recursive: true });
type Vecs = Float64Array[];
const l2 = (v: Float64Array) => { let s = 0; for (const x of v) s += x * x; const n = Math.sqrt(s) || 1; return v.map((x) => x / n); };
const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
async function vectors(dataset: string, files: string[]): Promise<Vecs> {
  const file = join(CACHE, `${dataset}.${DESC.replace(/\W/g, '_')}.json`);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as number[][]).map((v) => Float64Array.from(v));
  const e = getExtractor(DESC);
  const out: Vecs = [];
  for (const f of files) out.push(Float64Array.from(await e.extract(await toRaw(await decodeImage(readFileSync(f), { maxBytes: 1 << 26, minPx: 1, maxPx: 16384 }), e.input)) as Float32Array));
  writeFileSync(file, JSON.stringify(out.map((v) => [...v])));
  return out;
}
const rank = (q: Float64Array, db: Vecs) => db.map((v, j) => ({ j, s: dot(q, v) })).sort((a, b) => b.s - a.s);
/** αQE over `db` (self included when present): q + Σ sim^α x over the k nearest. */
function expand(q: Float64Array, db: Vecs, k: number, alpha = 3): Float64Array {
  if (k === 0) return q;
  const e = Float64Array.from(q);
  for (const { j, s } of rank(q, db).slice(0, k)) { const w = Math.max(0, s) ** alpha; for (let x = 0; x < e.length; x++) e[x] += w * db[j][x]; }
  return l2(e);
}
/** DBA: every db vector replaced by itself plus its k nearest other db vectors weighted sim^α. */
function dba(db: Vecs, k: number, alpha = 3): Vecs {
  if (k === 0) return db;
  return db.map((q, i) => {
    const out = Float64Array.from(q);
    for (const { j, s } of rank(q, db).filter((r) => r.j !== i).slice(0, k)) { const w = Math.max(0, s) ** alpha; for (let x = 0; x < out.length; x++) out[x] += w * db[j][x]; }
    return l2(out);
  });
}
function centre(vs: Vecs, mu: Float64Array): Vecs { return vs.map((v) => l2(v.map((x, i) => x - mu[i]))); }
function meanOf(vs: Vecs): Float64Array { const mu = new Float64Array(vs[0].length); for (const v of vs) for (let i = 0; i < mu.length; i++) mu[i] += v[i] / vs.length; return mu; }

interface Variant { name: string; centred: boolean; dbaK: number; qe: number; alpha?: number }
const variants: Variant[] = [
  { name: 'raw', centred: false, dbaK: 0, qe: 0 },
  { name: 'qe3', centred: false, dbaK: 0, qe: 3 },
  { name: 'dba1+qe3', centred: false, dbaK: 1, qe: 3 },
  { name: 'dba2+qe3', centred: false, dbaK: 2, qe: 3 },
  { name: 'dba3+qe3', centred: false, dbaK: 3, qe: 3 },
  { name: 'dba3', centred: false, dbaK: 3, qe: 0 },
  { name: 'centred', centred: true, dbaK: 0, qe: 0 },
  { name: 'centred+qe3', centred: true, dbaK: 0, qe: 3 },
  { name: 'centred+dba2+qe3', centred: true, dbaK: 2, qe: 3 },
  { name: 'dba3+qe3 α=5', centred: false, dbaK: 3, qe: 3, alpha: 5 },
  { name: 'dba5+qe3 α=5', centred: false, dbaK: 5, qe: 3, alpha: 5 },
];
const only = process.env.LAB_VARIANTS?.split(',');
for (const ds of loadDatasets(DATA).filter((d) => ['caltech101', 'fashion_products', 'grocery_store'].includes(d.name))) {
  const all = await vectors(ds.name, ds.items.map((it) => it.path));
  for (const v of variants.filter((x) => !only || only.includes(x.name))) {
    const t0 = performance.now();
    let line: string;
    if (ds.protocol === 'category') {
      const groups = ds.items.map((it) => it.group);
      const base = v.centred ? centre(all, meanOf(all)) : all;
      const db = dba(base, v.dbaK, v.alpha);
      const aps = base.map((q, i) => {
        const e = expand(q, db, v.qe, v.alpha);
        const rel = rank(e, db).filter((r) => r.j !== i).map((r) => groups[r.j] === groups[i]);
        return averagePrecision(rel, groups.filter((g) => g === groups[i]).length - 1);
      });
      line = `mAP ${mean(aps).toFixed(3)}`;
    } else {
      const iconic = ds.items.map((it, i) => i).filter((i) => ds.items[i].columns.kind === 'iconic');
      const natural = ds.items.map((it, i) => i).filter((i) => ds.items[i].columns.kind === 'natural');
      const rawDb = iconic.map((i) => all[i]);
      const mu = meanOf(rawDb);
      const base = v.centred ? centre(rawDb, mu) : rawDb;
      const db = dba(base, v.dbaK, v.alpha);
      const top1: number[] = []; const pk: number[] = [];
      for (const n of natural) {
        const q = v.centred ? centre([all[n]], mu)[0] : all[n];
        const best = rank(expand(q, db, v.qe, v.alpha), db)[0].j;
        const ok = +(ds.items[iconic[best]].group === ds.items[n].group);
        top1.push(ok); if (ds.items[n].columns.top === 'Packages') pk.push(ok);
      }
      line = `top-1 ${mean(top1).toFixed(3)} packages ${mean(pk).toFixed(3)} (db ${iconic.length})`;
    }
    console.log(`${ds.name} ${v.name}: ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

// Engine simulation: 128-d random projection for the shortlist, neighbour lists chosen in the
// projected space (top `pick` by projected similarity, then the best `k` of them by full similarity),
// augmented vectors built at scoring time from full vectors.
if (process.env.LAB_SIM) {
  const K = Number(process.env.LAB_SIM);
  const PICK = Number(process.env.LAB_PICK ?? K);
  for (const ds of loadDatasets(DATA).filter((d) => ['caltech101', 'fashion_products'].includes(d.name))) {
    const all = await vectors(ds.name, ds.items.map((it) => it.path));
    const groups = ds.items.map((it) => it.group);
    const P = randomProjection(all[0].length, 128);
    const proj = all.map((v) => Float64Array.from(P.apply(Float32Array.from(v))));
    const nbr = proj.map((p, i) => rank(p, proj).filter((r) => r.j !== i).slice(0, PICK).map((r) => r.j)
      .map((j) => ({ j, s: dot(all[i], all[j]) })).sort((a, b) => b.s - a.s).slice(0, K));
    const aug = all.map((x, i) => { const o = Float64Array.from(x); for (const { j, s } of nbr[i]) { const w = Math.max(0, s) ** 3; for (let t = 0; t < o.length; t++) o[t] += w * all[j][t]; } return l2(o); });
    const search = (q: Float64Array, k: number) => {
      const pq = Float64Array.from(P.apply(Float32Array.from(q)));
      const short = rank(pq, proj).slice(0, Math.max(4 * k, 64));
      return short.map((r) => ({ j: r.j, s: dot(q, aug[r.j]) })).sort((a, b) => b.s - a.s).slice(0, k);
    };
    const aps = all.map((q, i) => {
      const first = search(q, 3);
      const e = Float64Array.from(q);
      for (const { j, s } of first) { const w = Math.max(0, s) ** 3; for (let t = 0; t < e.length; t++) e[t] += w * aug[j][t]; }
      const rel = search(l2(e), 500).filter((r) => r.j !== i).map((r) => groups[r.j] === groups[i]);
      return averagePrecision(rel, groups.filter((g) => g === groups[i]).length - 1);
    });
    console.log(`${ds.name} sim dba${K} pick${PICK}: mAP ${mean(aps).toFixed(3)}`);
  }
}

// Online maintenance: images arrive in manifest order; each new one takes its k nearest among
// those before it, and each of its `M` nearest adopts it when it beats their k-th neighbour.
if (process.env.LAB_ONLINE) {
  const K = 3; const M = Number(process.env.LAB_ONLINE);
  for (const ds of loadDatasets(DATA).filter((d) => ['caltech101', 'fashion_products'].includes(d.name))) {
    const all = await vectors(ds.name, ds.items.map((it) => it.path));
    const groups = ds.items.map((it) => it.group);
    const lists: { j: number; s: number }[][] = [];
    for (let i = 0; i < all.length; i++) {
      const near = all.slice(0, i).map((v, j) => ({ j, s: dot(all[i], v) })).sort((a, b) => b.s - a.s);
      lists.push(near.slice(0, K));
      for (const { j, s } of near.slice(0, M)) {
        const l = lists[j];
        if (l.length < K || s > l[l.length - 1].s) { l.push({ j: i, s }); l.sort((a, b) => b.s - a.s); l.length = Math.min(l.length, K); }
      }
    }
    const aug = all.map((x, i) => { const o = Float64Array.from(x); for (const { j, s } of lists[i]) { const w = Math.max(0, s) ** 3; for (let t = 0; t < o.length; t++) o[t] += w * all[j][t]; } return l2(o); });
    const aps = all.map((q, i) => {
      const e = expand(q, aug, 3);
      const rel = rank(e, aug).filter((r) => r.j !== i).map((r) => groups[r.j] === groups[i]);
      return averagePrecision(rel, groups.filter((g) => g === groups[i]).length - 1);
    });
    console.log(`${ds.name} online dba3 M=${M}: mAP ${mean(aps).toFixed(3)}`);
  }
}
