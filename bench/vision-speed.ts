// Vision speed on real photos: detection and descriptor latency (incl. decode and resize), and
// end-to-end throughput (decode → detect → describe) with 1 and 2 pool workers.
// Usage: tsx bench/vision-speed.ts --data /work/shared/datasets/caltech101/images [--images 40] [--sizes 1,2]

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, toRaw, type DecodedImage } from '../src/imaging/index.js';
import { VisionPool, createVision, getExtractor, listExtractors } from '../src/vision/index.js';
import { CENTERNET } from '../src/vision/tf/models.js';
import { percentile } from './lib/metrics.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    images: { type: 'string', default: '40' },
    sizes: { type: 'string', default: '1,2' },
    out: { type: 'string', default: 'bench/results' },
  },
});
if (!args.data) {
  console.error('usage: tsx bench/vision-speed.ts --data DIR [--images N] [--sizes 1,2]');
  process.exit(2);
}

const LIMITS = { maxBytes: 64 * 1024 * 1024, minPx: 16, maxPx: 8192 };
const PICTURE = new Set(['.jpg', '.jpeg', '.png', '.webp']);

function listPictures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return listPictures(p);
    return PICTURE.has(extname(e.name).toLowerCase()) ? [p] : [];
  }).sort();
}

const all = listPictures(args.data);
const n = Math.min(Number(args.images), all.length);
// An even spread over the sorted list, so classes and sizes vary.
const files = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
const bytes = files.map((f) => readFileSync(f));

const stats = (xs: number[]) => ({ p50: +percentile(xs, 50).toFixed(1), p90: +percentile(xs, 90).toFixed(1), mean: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) });
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
};
const detectInput = (img: DecodedImage) => toRaw(img, { width: CENTERNET.inputPx, height: CENTERNET.inputPx, fit: 'fill' });

const load0 = loadavg()[0];
console.log(`${n} images from ${args.data}; ${cpus().length} cores; load average ${load0.toFixed(2)}`);

// --- latency: one worker, one image at a time; each stage includes cutting its input from the
// decoded working copy (sharp crop + resize) and the round trip to the worker.
const deep = listExtractors().filter((e) => e.pooled).map((e) => e.id);
const latency: Record<string, number[]> = { decode: [], detect: [] };
for (const id of deep) latency[`describe ${id}`] = [];
const pool = new VisionPool({ size: 1 });
const [, loadMs] = await time(async () => {
  const img = await decodeImage(bytes[0], LIMITS);
  await pool.run({ op: 'detect', pixels: await detectInput(img) });
  for (const id of deep) await pool.run({ op: 'extract', descriptor: id, pixels: await toRaw(img, getExtractor(id).input) });
});
const decoded: DecodedImage[] = [];
for (const b of bytes) {
  const [img, ms] = await time(() => decodeImage(b, LIMITS));
  decoded.push(img);
  latency.decode.push(ms);
}
for (const img of decoded) {
  latency.detect.push((await time(async () => pool.run({ op: 'detect', pixels: await detectInput(img) })))[1]);
  for (const id of deep) {
    latency[`describe ${id}`].push((await time(async () => pool.run({ op: 'extract', descriptor: id, pixels: await toRaw(img, getExtractor(id).input) })))[1]);
  }
}
await pool.close();

// --- end to end through the Vision facade, from bytes: what AddImage / SearchImageByPic pay.
const DEFAULT = 'mnv2mid-gap1792@1';
const endToEnd: Record<string, number[]> = { 'analyse, Crop=true': [], 'analyse, Crop=false': [] };
{
  const v = createVision({ pool: { size: 1 } });
  await v.analyse(decoded[0], { descriptor: DEFAULT, detect: true });
  for (const b of bytes) {
    endToEnd['analyse, Crop=true'].push((await time(async () => v.analyse(await decodeImage(b, LIMITS), { descriptor: DEFAULT, detect: true, predictCategory: true })))[1]);
    endToEnd['analyse, Crop=false'].push((await time(async () => v.analyse(await decodeImage(b, LIMITS), { descriptor: DEFAULT, detect: false })))[1]);
  }
  await v.close();
}

// --- throughput: every image from bytes, 2 requests in flight per worker (an import's backlog).
const throughput: { workers: number; crop: boolean; imagesPerS: number }[] = [];
for (const size of args.sizes.split(',').map(Number)) {
  const v = createVision({ pool: { size, batchMax: 4 } });
  await Promise.all(Array.from({ length: size * 2 }, () => v.analyse(decoded[0], { descriptor: DEFAULT, detect: true })));
  for (const crop of [true, false]) {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: size * 2 }, async () => {
      while (next < bytes.length) {
        const b = bytes[next++];
        await v.analyse(await decodeImage(b, LIMITS), { descriptor: DEFAULT, detect: crop, predictCategory: crop });
      }
    }));
    throughput.push({ workers: size, crop, imagesPerS: +((bytes.length * 1000) / (performance.now() - t0)).toFixed(2) });
  }
  await v.close();
}

const load1 = loadavg()[0];
const rows = [
  ...Object.entries(latency).map(([k, xs]) => ({ stage: k, ...stats(xs) })),
  ...Object.entries(endToEnd).map(([k, xs]) => ({ stage: `${k} (${DEFAULT}, from bytes)`, ...stats(xs) })),
];
console.log(`\nlatency, 1 worker, ms (model load + first run of every model: ${loadMs.toFixed(0)} ms)`);
console.table(rows);
console.log(`throughput, ${DEFAULT}, images/s from bytes`);
console.table(throughput);
console.log(`load average before ${load0.toFixed(2)}, after ${load1.toFixed(2)} (other processes on this machine add noise)`);

mkdirSync(args.out, { recursive: true });
const file = join(args.out, `vision-speed-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({
  data: args.data, images: n, cores: cpus().length, loadAverage: { before: load0, after: load1 },
  modelLoadAndFirstRunMs: Math.round(loadMs), latencyMs: rows, throughput,
}, null, 2));
console.log(`wrote ${file}`);
