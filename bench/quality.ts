// Retrieval-quality benchmark through the engine's public path: for each descriptor (optionally
// with a reranker), each protocol's database (its README) becomes an instance in a temporary data
// directory, and the protocol's queries search it by picture. A descriptor named `default` leaves
// the choice to the engine: each instance gets its service type's default descriptor and index.
//
//   npm run bench:quality -- --data /work/shared/datasets [--descriptors a,b+orb-ransac@1]
//     [--max-queries N] [--only caltech101,copy] [--rerank-all] [--index spec] [--out file.json]
//
// Prints a table (descriptor × dataset metric) and writes JSON to bench/results/.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openEngine } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/engine/index.js';
import { fullBox, type ServiceType } from '../src/domain/index.js';
import { decodeImage } from '../src/imaging/index.js';
import { getReranker, listExtractors } from '../src/vision/index.js';
import { makeCopyQueries, TRANSFORMS, type CopyQuery, type Transform } from './lib/copy-queries.js';
import { loadDatasets, type Dataset, type Item } from './lib/datasets.js';
import {
  averagePrecision, mean, nsScore, precisionAtK, precisionRecall, recallAtK, reciprocalRank, type ThresholdPoint,
} from './lib/metrics.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    descriptors: { type: 'string' },
    'max-queries': { type: 'string' },
    only: { type: 'string' },
    'rerank-all': { type: 'boolean' },
    index: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!args.data) {
  process.stderr.write('usage: npm run bench:quality -- --data <datasets dir> [--descriptors a,b,c+orb-ransac@1] [--max-queries N] [--only dataset,copy] [--rerank-all] [--index spec] [--out file.json]\n');
  process.exit(2);
}
const DATA = args.data;
const MAX_QUERIES = args['max-queries'] ? Number(args['max-queries']) : Infinity;
// Run only these protocols (dataset names, or `copy`); every dataset is still added, as distractors.
const ONLY = args.only ? new Set(args.only.split(',')) : undefined;
const wanted = (name: string) => !ONLY || ONLY.has(name);
// Reranked configurations verify ~40 pairs per search; on category-level protocols (all-vs-all,
// paged to 500) that costs half an hour per run and is not what a reranker is for, so they are
// skipped unless asked for.
const RERANK_ALL = args['rerank-all'] ?? false;
// Every instance's index spec (e.g. `flat` for exact search on full vectors); else the default for the descriptor.
const INDEX = args.index;
// The engine's result window: Start + Num ≤ 500 (the cloud's limit), pages of at most 100.
const WINDOW = 500;
const PAGE = 100;
// How deep the reranker verifies: the global shortlist that a second stage can fix.
const SHORTLIST = getReranker('orb-ransac@1').depth;

interface BenchConfig { label: string; descriptor: string; reranker?: string }

const DEFAULT_CONFIGS = [...listExtractors().map((e) => e.id), 'colour-hist-rgb512@1+orb-ransac@1'];
const configs: BenchConfig[] = (args.descriptors ? args.descriptors.split(',') : DEFAULT_CONFIGS).map((s) => {
  const [descriptor, reranker] = s.trim().split('+');
  return { label: s.trim(), descriptor, reranker };
});

const keyOf = (it: Item) => `${it.dataset}:${it.index}`;
const log = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const limit = <T>(xs: readonly T[]): T[] => {
  if (xs.length <= MAX_QUERIES) return [...xs];
  // An even spread, not the first N, so every group stays represented.
  const step = xs.length / MAX_QUERIES;
  return Array.from({ length: MAX_QUERIES }, (_, i) => xs[Math.floor(i * step)]);
};

interface Hit { key: string; score: number }

/** A ranking by picture, paged through the result window while `more` says so. */
async function ranked(ctx: Context, instance: string, bytes: Buffer, more: (hits: Hit[]) => boolean): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (let start = 0; start < WINDOW; start += PAGE) {
    const r = await ctx.engine.searchByPicture(instance, { bytes, crop: false, num: PAGE, start });
    if (start === 0) ctx.timing.push(r.timings.total);
    // HNSW pages are separate approximate searches, so a later page may repeat an earlier hit.
    for (const h of r.hits) if (!hits.some((x) => x.key === h.image.productId)) hits.push({ key: h.image.productId, score: h.score });
    if (r.hits.length < PAGE || !more(hits)) break;
  }
  return hits;
}

type Metrics = Record<string, number>;

interface Context {
  engine: Engine;
  /**
   * The instance holding exactly these items (created and filled on first use), of the service
   * type the protocol is for: product for category and catalogue search, generic for the crowd.
   */
  database(name: string, items: readonly Item[], serviceType: ServiceType): Promise<string>;
  config: BenchConfig;
  datasets: Dataset[];
  items: Map<string, Item>;
  timing: number[];
  copyQueries: CopyQuery[];
  negatives: CopyQuery[];
}

const groupOf = (ctx: Context, key: string) => ctx.items.get(key)?.group;

/** Every image against all others of its dataset, relevant = same group: mAP over the result window, P@k. */
async function categoryProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const size = new Map<string, number>();
  for (const it of ds.items) size.set(it.group, (size.get(it.group) ?? 0) + 1);
  const aps: number[] = [];
  const apsUpper: number[] = [];
  const p1: number[] = [];
  const p5: number[] = [];
  const p10: number[] = [];
  for (const q of limit(ds.items)) {
    const relevant = (size.get(q.group) ?? 1) - 1;
    const isRel = (h: Hit) => h.key !== keyOf(q) && groupOf(ctx, h.key) === q.group;
    const hits = await ranked(ctx, await ctx.database(ds.name, ds.items, 'product'), readFileSync(q.path), (hs) => hs.filter(isRel).length < relevant);
    const list = hits.filter((h) => h.key !== keyOf(q)).map(isRel);
    aps.push(averagePrecision(list, relevant));
    // Upper bound: relevant images past the window placed right after it.
    const missing = Math.max(0, relevant - list.filter(Boolean).length);
    apsUpper.push(averagePrecision([...list, ...Array<boolean>(missing).fill(true)], relevant));
    p1.push(precisionAtK(list, 1));
    p5.push(precisionAtK(list, 5));
    p10.push(precisionAtK(list, 10));
  }
  return { mAP: mean(aps), 'mAP upper bound': mean(apsUpper), 'P@1': mean(p1), 'P@5': mean(p5), 'P@10': mean(p10), queries: aps.length };
}

/** Natural photos against the iconic catalogue images (top-1, R@5, MRR, also per `top`), and same-product mAP. */
async function catalogProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const queries = limit(ds.items.filter((it) => it.columns.kind === 'natural'));
  const catalogue = await ctx.database(`${ds.name}/iconic`, ds.items.filter((it) => it.columns.kind === 'iconic'), 'product');
  const sameProduct = !ctx.config.reranker || RERANK_ALL;
  const everything = sameProduct ? await ctx.database(ds.name, ds.items, 'product') : '';
  const byTop = new Map<string, { top1: number[]; mrr: number[] }>();
  const top1: number[] = [];
  const r5: number[] = [];
  const mrr: number[] = [];
  const inShortlist: number[] = [];
  const aps: number[] = [];
  const p10: number[] = [];
  const size = new Map<string, number>();
  for (const it of ds.items) size.set(it.group, (size.get(it.group) ?? 0) + 1);
  for (const q of queries) {
    const bytes = readFileSync(q.path);
    const hits = await ranked(ctx, catalogue, bytes, () => false);
    const list = hits.map((h) => groupOf(ctx, h.key) === q.group);
    top1.push(+list[0]);
    r5.push(recallAtK(list, 5, 1));
    mrr.push(reciprocalRank(list));
    inShortlist.push(recallAtK(list, SHORTLIST, 1));
    const t = q.columns.top ?? '-';
    const slot = byTop.get(t) ?? { top1: [], mrr: [] };
    slot.top1.push(+list[0]);
    slot.mrr.push(reciprocalRank(list));
    byTop.set(t, slot);
    // Same-product retrieval among every image of the dataset, the query excluded.
    if (!sameProduct) continue;
    const relevant = (size.get(q.group) ?? 1) - 1;
    const isRel = (h: Hit) => h.key !== keyOf(q) && groupOf(ctx, h.key) === q.group;
    const all = await ranked(ctx, everything, bytes, (hs) => hs.filter(isRel).length < relevant);
    const rel = all.filter((h) => h.key !== keyOf(q)).map(isRel);
    aps.push(averagePrecision(rel, relevant));
    p10.push(precisionAtK(rel, 10));
  }
  const out: Metrics = { 'top-1': mean(top1), 'R@5': mean(r5), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), queries: top1.length };
  if (sameProduct) { out['same-product mAP'] = mean(aps); out['same-product P@10'] = mean(p10); }
  for (const [t, s] of [...byTop].sort()) { out[`top-1 ${t}`] = mean(s.top1); out[`MRR ${t}`] = mean(s.mrr); }
  // The same photo→catalogue search in the crowd (catalogue plus distractors): in a real
  // catalogue the global shortlist, not the reranker, decides what can be found.
  const crowded = await crowd(ctx);
  const top1d: number[] = [];
  const shortlistD: number[] = [];
  const missed: Item[] = [];
  for (const q of queries) {
    const hits = await ranked(ctx, crowded, readFileSync(q.path), () => false);
    const list = hits.map((h) => ctx.items.get(h.key)?.dataset === ds.name && groupOf(ctx, h.key) === q.group);
    top1d.push(+list[0]);
    shortlistD.push(recallAtK(list, SHORTLIST, 1));
    if (!list.slice(0, SHORTLIST).includes(true)) missed.push(q);
  }
  out['top-1 +distractors'] = mean(top1d);
  out[`R@${SHORTLIST} +distractors`] = mean(shortlistD);
  if (ctx.config.reranker && missed.length > 0) {
    const iconic = new Map(ds.items.filter((it) => it.columns.kind === 'iconic').map((it) => [it.group, it]));
    out['shortlist misses verifiable'] = await verifiableShare(ctx.config.reranker, missed.map((q) => [q.path, iconic.get(q.group)!.path]));
  }
  return out;
}

/**
 * The crowd: every pool and category image (the distractors) plus every database-side image of
 * the instance-level datasets (UKBench images, multi-view model views, catalogue images). The
 * UKBench, multi-view and copy protocols search it, so each has the others' images as extra
 * distractors; their queries (edits, query views, natural photos) are never in it.
 */
function crowd(ctx: Context): Promise<string> {
  const items = ctx.datasets.flatMap((d) => {
    switch (d.protocol) {
      case 'pool': case 'category': case 'ukbench': return d.items;
      case 'multiview': return d.items.filter((it) => it.columns.role === 'model');
      case 'catalog': return d.items.filter((it) => it.columns.kind === 'iconic');
    }
  });
  return ctx.database('crowd', items, 'generic');
}

/** Query views against the crowd (model views plus distractors): top-1, MRR. */
async function multiviewProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const db = await crowd(ctx);
  const top1: number[] = [];
  const mrr: number[] = [];
  const inShortlist: number[] = [];
  for (const q of limit(ds.items.filter((it) => it.columns.role === 'query'))) {
    const hits = await ranked(ctx, db, readFileSync(q.path), (hs) => !hs.some((h) => groupOf(ctx, h.key) === q.group && ctx.items.get(h.key)?.dataset === ds.name));
    const list = hits.map((h) => ctx.items.get(h.key)?.dataset === ds.name && groupOf(ctx, h.key) === q.group);
    top1.push(+list[0]);
    mrr.push(reciprocalRank(list));
    inShortlist.push(recallAtK(list, SHORTLIST, 1));
  }
  return { 'top-1': mean(top1), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), queries: top1.length };
}

/** Every image against the crowd (all UKBench images, itself included, plus distractors): N-S score. */
async function ukbenchProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const db = await crowd(ctx);
  const ns: number[] = [];
  for (const q of limit(ds.items)) {
    const r = await ctx.engine.searchByPicture(db, { bytes: readFileSync(q.path), crop: false, num: 4 });
    ctx.timing.push(r.timings.total);
    ns.push(nsScore(r.hits.map((h) => ctx.items.get(h.image.productId)?.dataset === ds.name && groupOf(ctx, h.image.productId) === q.group)));
  }
  return { 'N-S': mean(ns), queries: ns.length };
}

interface CopyResult { metrics: Metrics; calibration: ThresholdPoint[] }

/**
 * Edited copies of every pool picture against the crowd: R@1, MRR, per edit; and precision/recall
 * of "the top hit is a copy" at score thresholds, with edited pictures of images that are not in
 * the crowd as the negatives.
 */
/**
 * Of (query, relevant) pairs the global shortlist missed, the share that the reranker verifies
 * (confidence > 0.5) when shown the pair directly: what a first stage over local features could
 * still find. Computed outside the engine (vision's public reranker), as a what-if.
 */
async function verifiableShare(rerankerId: string, pairs: [string, string][]): Promise<number> {
  const reranker = getReranker(rerankerId);
  const limits = { maxBytes: 64 * 1024 * 1024, minPx: 1, maxPx: 16384 };
  let ok = 0;
  for (const [q, r] of pairs) {
    const qi = await decodeImage(readFileSync(q), limits);
    const ri = await decodeImage(readFileSync(r), limits);
    const v = await reranker.verify(await reranker.describe(qi, fullBox(qi.width, qi.height), 'query'), await reranker.describe(ri, fullBox(ri.width, ri.height), 'database'));
    if (v.confidence > 0.5) ok++;
  }
  return ok / pairs.length;
}

async function copyProtocol(ctx: Context): Promise<CopyResult> {
  const db = await crowd(ctx);
  const per = new Map<Transform, number[]>();
  const r1: number[] = [];
  const mrr: number[] = [];
  const inShortlist: number[] = [];
  // How deep the original sits: what a shallower (cheaper) verification would still reach.
  const shallow = new Map<number, number[]>([[2, []], [4, []], [8, []], [16, []]]);
  const pairs: { score: number; positive: boolean }[] = [];
  const missed: [string, string][] = [];
  for (const q of ctx.copyQueries) {
    const source = keyOf(q.source);
    const hits = await ranked(ctx, db, readFileSync(q.path), (hs) => !hs.some((h) => h.key === source));
    const list = hits.map((h) => h.key === source);
    r1.push(+list[0]);
    mrr.push(reciprocalRank(list));
    inShortlist.push(recallAtK(list, SHORTLIST, 1));
    for (const [k, xs] of shallow) xs.push(recallAtK(list, k, 1));
    per.set(q.transform, [...(per.get(q.transform) ?? []), +list[0]]);
    if (!list.slice(0, SHORTLIST).includes(true)) missed.push([q.path, q.source.path]);
    if (hits[0]) pairs.push({ score: hits[0].score, positive: list[0] });
  }
  for (const q of ctx.negatives) {
    const r = await ctx.engine.searchByPicture(db, { bytes: readFileSync(q.path), crop: false, num: 1 });
    if (r.hits[0]) pairs.push({ score: r.hits[0].score, positive: false });
  }
  const thresholds = Array.from({ length: 50 }, (_, i) => Math.round((0.5 + i * 0.01) * 100) / 100);
  const metrics: Metrics = { 'R@1': mean(r1), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), queries: r1.length, negatives: ctx.negatives.length };
  for (const [k, xs] of shallow) metrics[`R@${k}`] = mean(xs);
  for (const t of TRANSFORMS) if (per.has(t)) metrics[`R@1 ${t}`] = mean(per.get(t)!);
  if (ctx.config.reranker && missed.length > 0) metrics['shortlist misses verifiable'] = await verifiableShare(ctx.config.reranker, missed);
  return { metrics, calibration: precisionRecall(pairs, ctx.copyQueries.length, thresholds) };
}

async function runConfig(config: BenchConfig, datasets: Dataset[], copyQueries: CopyQuery[], negatives: CopyQuery[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tusou-quality-'));
  const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent' }));
  const items = new Map(datasets.flatMap((d) => d.items).map((it) => [keyOf(it), it]));
  const instances = new Map<string, string>();
  const adds = { n: 0, ms: 0 };
  const database = async (name: string, members: readonly Item[], serviceType: ServiceType): Promise<string> => {
    const known = instances.get(name);
    if (known) return known;
    const instance = `db${instances.size}`;
    await engine.createInstance({
      name: instance, serviceType, ...(config.descriptor === 'default' ? {} : { descriptor: config.descriptor }), ...(config.reranker ? { reranker: config.reranker } : {}), ...(INDEX ? { index: INDEX } : {}),
    });
    const t0 = performance.now();
    for (const it of members) await engine.addImage(instance, { productId: keyOf(it), picName: 'p', bytes: readFileSync(it.path), crop: false });
    adds.n += members.length;
    adds.ms += performance.now() - t0;
    instances.set(name, instance);
    log(`${config.label}: database ${name}: ${members.length} images`);
    return instance;
  };
  try {
    const ctx: Context = { engine, database, config, datasets, items, timing: [], copyQueries, negatives };
    const results: Record<string, Metrics> = {};
    let calibration: ThresholdPoint[] | undefined;
    for (const ds of datasets.filter((d) => wanted(d.name))) {
      const t = performance.now();
      switch (ds.protocol) {
        case 'category':
          if (config.reranker && !RERANK_ALL) continue;
          results[ds.name] = await categoryProtocol(ctx, ds);
          break;
        case 'catalog': results[ds.name] = await catalogProtocol(ctx, ds); break;
        case 'multiview': results[ds.name] = await multiviewProtocol(ctx, ds); break;
        case 'ukbench': results[ds.name] = await ukbenchProtocol(ctx, ds); break;
        case 'pool': continue;
      }
      log(`${config.label}: ${ds.name} in ${((performance.now() - t) / 1000).toFixed(0)} s ${JSON.stringify(results[ds.name])}`);
    }
    if (copyQueries.length > 0 && wanted('copy')) {
      const t = performance.now();
      const copy = await copyProtocol(ctx);
      results.copy = copy.metrics;
      calibration = copy.calibration;
      log(`${config.label}: copy in ${((performance.now() - t) / 1000).toFixed(0)} s ${JSON.stringify(copy.metrics)}`);
    }
    const sorted = [...ctx.timing].sort((a, b) => a - b);
    return { config, results, calibration, addMsPerImage: adds.ms / Math.max(1, adds.n), searchMsP50: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The headline number of each protocol, with the DESIGN §4 target where there is one.
const HEADLINES: { dataset: string; metric: string; title: string; target?: string }[] = [
  { dataset: 'copy', metric: 'R@1', title: 'copy R@1', target: '≥ 0.98' },
  { dataset: 'copy', metric: 'MRR', title: 'copy MRR' },
  { dataset: 'ukbench_sample', metric: 'N-S', title: 'UKB N-S', target: '≥ 3.8' },
  { dataset: 'coil100_pairs', metric: 'top-1', title: 'COIL top-1', target: '≥ 0.98' },
  { dataset: 'grocery_store', metric: 'top-1', title: 'grocery top-1', target: '≥ 0.6' },
  { dataset: 'grocery_store', metric: 'top-1 Packages', title: 'grocery Packages', target: '≥ 0.8' },
  { dataset: 'grocery_store', metric: 'MRR', title: 'grocery MRR' },
  { dataset: 'grocery_store', metric: 'same-product mAP', title: 'grocery mAP' },
  { dataset: 'caltech101', metric: 'mAP', title: 'Caltech mAP', target: '≥ 0.35' },
  { dataset: 'fashion_products', metric: 'mAP', title: 'fashion mAP', target: '≥ 0.70' },
];

async function main() {
  const datasets = loadDatasets(DATA);
  log(`datasets: ${datasets.map((d) => `${d.name} (${d.protocol}, ${d.items.length})`).join(', ')}`);
  const qdir = mkdtempSync(join(tmpdir(), 'tusou-copyq-'));
  try {
    const pools = datasets.filter((d) => d.protocol === 'pool').flatMap((d) => d.items);
    const copyQueries = limit(await makeCopyQueries(pools, TRANSFORMS, qdir, (p) => readFileSync(p)));
    // Negatives: one edit each of photos that are not in the crowd (catalogue photos, multi-view
    // query views), every 4th, edits taken in turn.
    const outside = datasets.flatMap((d) => d.items.filter((it) => (d.protocol === 'catalog' && it.columns.kind === 'natural') || (d.protocol === 'multiview' && it.columns.role === 'query')))
      .filter((_, i) => i % 4 === 0);
    const negatives: CopyQuery[] = [];
    for (const [i, it] of outside.entries()) negatives.push(...await makeCopyQueries([it], [TRANSFORMS[i % TRANSFORMS.length]], qdir, (p) => readFileSync(p)));
    log(`copy queries: ${copyQueries.length} edits of ${pools.length} pool pictures; ${negatives.length} negatives`);
    const runs: Awaited<ReturnType<typeof runConfig>>[] = [];
    for (const c of configs) runs.push(await runConfig(c, datasets, copyQueries, limit(negatives)));

    const cols = HEADLINES.filter((h) => runs.some((r) => r.results[h.dataset]?.[h.metric] !== undefined));
    const fmt = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
    const lines = [
      `| descriptor | ${cols.map((c) => c.title).join(' | ')} | search p50 ms |`,
      `|---|${cols.map(() => '---').join('|')}|---|`,
      `| *target* | ${cols.map((c) => c.target ?? '').join(' | ')} | |`,
      ...runs.map((r) => `| ${r.config.label} | ${cols.map((c) => fmt(r.results[c.dataset]?.[c.metric])).join(' | ')} | ${r.searchMsP50.toFixed(0)} |`),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    for (const name of [...new Set(runs.flatMap((r) => Object.keys(r.results)))]) {
      const keys = [...new Set(runs.flatMap((r) => Object.keys(r.results[name] ?? {})))];
      process.stdout.write(`${name}\n| descriptor | ${keys.join(' | ')} |\n|---|${keys.map(() => '---').join('|')}|\n`);
      for (const r of runs) process.stdout.write(`| ${r.config.label} | ${keys.map((k) => { const v = r.results[name]?.[k]; return v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(3); }).join(' | ')} |\n`);
      process.stdout.write('\n');
    }
    process.stdout.write('copy detection: precision / recall of "top hit is a copy" at score thresholds\n');
    process.stdout.write(`| descriptor | ${[0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98].map((t) => `≥ ${t}`).join(' | ')} |\n|---|${'---|'.repeat(7)}\n`);
    for (const r of runs) {
      const at = (t: number) => r.calibration?.find((p) => Math.abs(p.threshold - t) < 1e-9);
      process.stdout.write(`| ${r.config.label} | ${[0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98].map((t) => { const p = at(t); return p ? `${p.precision.toFixed(3)} / ${p.recall.toFixed(3)}` : '—'; }).join(' | ')} |\n`);
    }
    const here = dirname(fileURLToPath(import.meta.url));
    const out = args.out ?? join(here, 'results', `quality-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({
      command: `npm run bench:quality -- ${process.argv.slice(2).join(' ')}`, data: DATA, maxQueries: MAX_QUERIES === Infinity ? null : MAX_QUERIES,
      window: WINDOW, shortlist: SHORTLIST, index: INDEX ?? 'default', datasets: datasets.map((d) => ({ name: d.name, protocol: d.protocol, images: d.items.length })), runs,
    }, null, 1));
    log(`wrote ${out}`);
  } finally {
    rmSync(qdir, { recursive: true, force: true });
  }
}

await main();
