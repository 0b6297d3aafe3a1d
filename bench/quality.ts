// Retrieval-quality benchmark through the engine's public path: for each descriptor (optionally
// with a reranker) one instance in a temporary data directory holds every dataset image, and
// each dataset's protocol (its README) searches it by picture with a Filter naming the database.
//
//   npm run bench:quality -- --data /work/shared/datasets [--descriptors a,b+orb-ransac@1]
//     [--max-queries N] [--only caltech101,copy] [--out file.json]
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
import { listExtractors } from '../src/vision/index.js';
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
    out: { type: 'string' },
  },
});
if (!args.data) {
  process.stderr.write('usage: npm run bench:quality -- --data <datasets dir> [--descriptors a,b,c+orb-ransac@1] [--max-queries N] [--only dataset,copy] [--out file.json]\n');
  process.exit(2);
}
const DATA = args.data;
const MAX_QUERIES = args['max-queries'] ? Number(args['max-queries']) : Infinity;
// Run only these protocols (dataset names, or `copy`); every dataset is still added, as distractors.
const ONLY = args.only ? new Set(args.only.split(',')) : undefined;
const wanted = (name: string) => !ONLY || ONLY.has(name);
// The engine's result window: Start + Num ≤ 500 (the cloud's limit), pages of at most 100.
const WINDOW = 500;
const PAGE = 100;
// How deep the reranker verifies (orb-ransac@1): the global shortlist a second stage can fix.
const SHORTLIST = 32;

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
const quote = (s: string) => JSON.stringify(s);
const inList = (names: readonly string[]) => `str_attr in (${names.map(quote).join(',')})`;

interface Hit { key: string; score: number }

/** A ranking by picture within a filter, paged through the result window while `more` says so. */
async function ranked(engine: Engine, instance: string, bytes: Buffer, filter: string, more: (hits: Hit[]) => boolean, timing: number[]): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (let start = 0; start < WINDOW; start += PAGE) {
    const r = await engine.searchByPicture(instance, { bytes, crop: false, filter, num: PAGE, start });
    if (start === 0) timing.push(r.timings.total);
    hits.push(...r.hits.map((h) => ({ key: h.image.productId, score: h.score })));
    if (r.hits.length < PAGE || !more(hits)) break;
  }
  return hits;
}

type Metrics = Record<string, number>;

interface Context {
  engine: Engine;
  instance: string;
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
    const hits = await ranked(ctx.engine, ctx.instance, readFileSync(q.path), `str_attr=${quote(ds.name)}`, (hs) => hs.filter(isRel).length < relevant, ctx.timing);
    const list = hits.filter((h) => h.key !== keyOf(q)).map(isRel);
    aps.push(averagePrecision(list, relevant));
    // Upper bound: relevant images past the window placed right after it.
    const missing = relevant - list.filter(Boolean).length;
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
  const catalogue = `str_attr=${quote(ds.name)} AND str_attr2="iconic"`;
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
    const hits = await ranked(ctx.engine, ctx.instance, bytes, catalogue, () => false, ctx.timing);
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
    const relevant = (size.get(q.group) ?? 1) - 1;
    const isRel = (h: Hit) => h.key !== keyOf(q) && groupOf(ctx, h.key) === q.group;
    const all = await ranked(ctx.engine, ctx.instance, bytes, `str_attr=${quote(ds.name)}`, (hs) => hs.filter(isRel).length < relevant, ctx.timing);
    const rel = all.filter((h) => h.key !== keyOf(q)).map(isRel);
    aps.push(averagePrecision(rel, relevant));
    p10.push(precisionAtK(rel, 10));
  }
  const out: Metrics = { 'top-1': mean(top1), 'R@5': mean(r5), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), 'same-product mAP': mean(aps), 'same-product P@10': mean(p10), queries: top1.length };
  for (const [t, s] of [...byTop].sort()) { out[`top-1 ${t}`] = mean(s.top1); out[`MRR ${t}`] = mean(s.mrr); }
  return out;
}

function distractorNames(ctx: Context): string[] {
  return ctx.datasets.filter((d) => d.protocol === 'pool' || d.protocol === 'category').map((d) => d.name);
}

/** Query views against model views plus every pool and category image as distractors: top-1, MRR. */
async function multiviewProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const filter = `(str_attr=${quote(ds.name)} AND str_attr2="model") OR ${inList(distractorNames(ctx))}`;
  const top1: number[] = [];
  const mrr: number[] = [];
  const inShortlist: number[] = [];
  for (const q of limit(ds.items.filter((it) => it.columns.role === 'query'))) {
    const hits = await ranked(ctx.engine, ctx.instance, readFileSync(q.path), filter, (hs) => !hs.some((h) => groupOf(ctx, h.key) === q.group && ctx.items.get(h.key)?.dataset === ds.name), ctx.timing);
    const list = hits.map((h) => ctx.items.get(h.key)?.dataset === ds.name && groupOf(ctx, h.key) === q.group);
    top1.push(+list[0]);
    mrr.push(reciprocalRank(list));
    inShortlist.push(recallAtK(list, SHORTLIST, 1));
  }
  return { 'top-1': mean(top1), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), queries: top1.length };
}

/** Every image against all of its dataset (itself included) plus distractors: N-S score. */
async function ukbenchProtocol(ctx: Context, ds: Dataset): Promise<Metrics> {
  const filter = inList([ds.name, ...distractorNames(ctx)]);
  const ns: number[] = [];
  for (const q of limit(ds.items)) {
    const r = await ctx.engine.searchByPicture(ctx.instance, { bytes: readFileSync(q.path), crop: false, filter, num: 4 });
    ctx.timing.push(r.timings.total);
    ns.push(nsScore(r.hits.map((h) => ctx.items.get(h.image.productId)?.dataset === ds.name && groupOf(ctx, h.image.productId) === q.group)));
  }
  return { 'N-S': mean(ns), queries: ns.length };
}

interface CopyResult { metrics: Metrics; calibration: ThresholdPoint[] }

/**
 * Edited copies of every pool picture against the pools plus the category datasets: R@1, MRR,
 * per edit; and precision/recall of "the top hit is a copy" at score thresholds, with edited
 * pictures of images that are not in the database as the negatives.
 */
async function copyProtocol(ctx: Context): Promise<CopyResult> {
  const filter = inList(distractorNames(ctx));
  const per = new Map<Transform, number[]>();
  const r1: number[] = [];
  const mrr: number[] = [];
  const inShortlist: number[] = [];
  const pairs: { score: number; positive: boolean }[] = [];
  for (const q of ctx.copyQueries) {
    const source = keyOf(q.source);
    const hits = await ranked(ctx.engine, ctx.instance, readFileSync(q.path), filter, (hs) => !hs.some((h) => h.key === source), ctx.timing);
    const list = hits.map((h) => h.key === source);
    r1.push(+list[0]);
    mrr.push(reciprocalRank(list));
    inShortlist.push(recallAtK(list, SHORTLIST, 1));
    per.set(q.transform, [...(per.get(q.transform) ?? []), +list[0]]);
    if (hits[0]) pairs.push({ score: hits[0].score, positive: list[0] });
  }
  for (const q of ctx.negatives) {
    const r = await ctx.engine.searchByPicture(ctx.instance, { bytes: readFileSync(q.path), crop: false, filter, num: 1 });
    if (r.hits[0]) pairs.push({ score: r.hits[0].score, positive: false });
  }
  const thresholds = Array.from({ length: 50 }, (_, i) => Math.round((0.5 + i * 0.01) * 100) / 100);
  const metrics: Metrics = { 'R@1': mean(r1), MRR: mean(mrr), [`R@${SHORTLIST}`]: mean(inShortlist), queries: r1.length, negatives: ctx.negatives.length };
  for (const t of TRANSFORMS) if (per.has(t)) metrics[`R@1 ${t}`] = mean(per.get(t)!);
  return { metrics, calibration: precisionRecall(pairs, ctx.copyQueries.length, thresholds) };
}

async function runConfig(config: BenchConfig, index: number, datasets: Dataset[], copyQueries: CopyQuery[], negatives: CopyQuery[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tusou-quality-'));
  const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent' }));
  const instance = `bench${index}`;
  try {
    await engine.createInstance({ name: instance, descriptor: config.descriptor, ...(config.reranker ? { reranker: config.reranker } : {}) });
    const items = new Map<string, Item>();
    const t0 = performance.now();
    for (const ds of datasets) {
      for (const it of ds.items) {
        items.set(keyOf(it), it);
        await engine.addImage(instance, {
          productId: keyOf(it), picName: 'p', bytes: readFileSync(it.path), crop: false,
          strAttr: ds.name, strAttr2: it.columns.kind || it.columns.role || '-', strAttr3: it.columns.top || '-',
        });
      }
    }
    const addMs = (performance.now() - t0) / items.size;
    log(`${config.label}: added ${items.size} images (${addMs.toFixed(1)} ms each)`);
    const ctx: Context = { engine, instance, datasets, items, timing: [], copyQueries, negatives };
    const results: Record<string, Metrics> = {};
    let calibration: ThresholdPoint[] | undefined;
    for (const ds of datasets.filter((d) => wanted(d.name))) {
      const t = performance.now();
      switch (ds.protocol) {
        case 'category': results[ds.name] = await categoryProtocol(ctx, ds); break;
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
    return { config, results, calibration, addMsPerImage: addMs, searchMsP50: sorted[Math.floor(sorted.length / 2)] ?? 0 };
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
    // Negatives: one edit each of pictures that are not in the copy database (catalogue, multi-view
    // and UKBench photos), every 4th image, edits taken in turn.
    const outside = datasets.filter((d) => ['catalog', 'multiview', 'ukbench'].includes(d.protocol)).flatMap((d) => d.items).filter((_, i) => i % 4 === 0);
    const negatives: CopyQuery[] = [];
    for (const [i, it] of outside.entries()) negatives.push(...await makeCopyQueries([it], [TRANSFORMS[i % TRANSFORMS.length]], qdir, (p) => readFileSync(p)));
    log(`copy queries: ${copyQueries.length} edits of ${pools.length} pool pictures; ${negatives.length} negatives`);
    const runs: Awaited<ReturnType<typeof runConfig>>[] = [];
    for (const [i, c] of configs.entries()) runs.push(await runConfig(c, i, datasets, copyQueries, limit(negatives)));

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
      window: WINDOW, shortlist: SHORTLIST, datasets: datasets.map((d) => ({ name: d.name, protocol: d.protocol, images: d.items.length })), runs,
    }, null, 1));
    log(`wrote ${out}`);
  } finally {
    rmSync(qdir, { recursive: true, force: true });
  }
}

await main();
