// Which pooling and normalisation of the CNN feature maps retrieves best: GAP, GeM (p=3) and
// power-normalised GAP, for MobileNetV2-mid and the CenterNet backbone, by leave-one-out mAP on
// labelled folders (manifest.csv with file,group). Whole pictures, no detection.
// Usage: tsx bench/deep-pooling.ts --data /work/shared/datasets [--sets caltech101,fashion_products]

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as TF from '@tensorflow/tfjs';
import { decodeImage, toRaw } from '../src/imaging/index.js';
import { CENTERNET, MOBILENET_V2_MID, centerNet, mobileNetV2Mid } from '../src/vision/tf/models.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    sets: { type: 'string', default: 'caltech101,fashion_products' },
    models: { type: 'string', default: 'mnv2mid,centernet' },
    out: { type: 'string', default: 'bench/results' },
  },
});
if (!args.data) {
  console.error('usage: tsx bench/deep-pooling.ts --data DIR [--sets a,b]');
  process.exit(2);
}

const LIMITS = { maxBytes: 64 * 1024 * 1024, minPx: 1, maxPx: 8192 };

function manifest(dir: string): { file: string; group: string }[] {
  const [head, ...rows] = readFileSync(join(dir, 'manifest.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  const fi = cols.indexOf('file');
  const gi = cols.indexOf('group');
  // The columns used here never contain commas (neutral file ids, group names).
  return rows.map((r) => r.split(',')).map((c) => ({ file: c[fi], group: c[gi] }));
}

type Pool = (tf: typeof TF, map: TF.Tensor4D) => TF.Tensor2D;
const gap: Pool = (tf, m) => tf.mean(m, [1, 2]);
const gem: Pool = (tf, m) => tf.pow(tf.mean(tf.pow(tf.maximum(m, 1e-6), 3), [1, 2]), 1 / 3);
const POOLS: Record<string, { pool: Pool; power: boolean }> = {
  gap: { pool: gap, power: false },
  'gem3': { pool: gem, power: false },
  'gap+sqrt': { pool: gap, power: true },
};

function normalise(v: Float32Array, power: boolean): Float32Array {
  const out = Float32Array.from(v, (x) => (power ? Math.sign(x) * Math.sqrt(Math.abs(x)) : x));
  let s = 0;
  for (const x of out) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

function meanAP(vectors: Float32Array[], groups: string[]): number {
  let total = 0;
  for (let q = 0; q < vectors.length; q++) {
    const scored = vectors.map((v, i) => {
      let dot = 0;
      for (let j = 0; j < v.length; j++) dot += v[j] * vectors[q][j];
      return { i, dot };
    }).filter((x) => x.i !== q).sort((a, b) => b.dot - a.dot);
    let hits = 0;
    let ap = 0;
    scored.forEach((x, rank) => {
      if (groups[x.i] === groups[q]) ap += ++hits / (rank + 1);
    });
    total += hits ? ap / hits : 0;
  }
  return total / vectors.length;
}

const models = [
  { name: 'mnv2mid', size: MOBILENET_V2_MID.inputPx, async run() {
    const { tf, model } = await mobileNetV2Mid();
    return (x: TF.Tensor4D) => model.execute(tf.div(x, 255), MOBILENET_V2_MID.lastMap) as TF.Tensor4D;
  } },
  { name: 'centernet', size: CENTERNET.inputPx, async run() {
    const { model } = await centerNet();
    return (x: TF.Tensor4D) => model.execute(x, CENTERNET.backbone) as TF.Tensor4D;
  } },
];

const results: { set: string; model: string; pooling: string; mAP: number }[] = [];
const { tfReady } = await import('../src/vision/tf/runtime.js');
const tf = await tfReady();
for (const set of args.sets.split(',')) {
  const dir = join(args.data, set);
  const items = manifest(dir);
  for (const m of models.filter((x) => args.models.split(',').includes(x.name))) {
    const run = await m.run();
    const vecs: Record<string, Float32Array[]> = Object.fromEntries(Object.keys(POOLS).map((k) => [k, []]));
    for (const it of items) {
      const img = await decodeImage(readFileSync(join(dir, it.file)), LIMITS);
      const px = await toRaw(img, { width: m.size, height: m.size, fit: 'fill' });
      const x = tf.tensor4d(px.data, [1, m.size, m.size, 3], 'int32').toFloat();
      const map = run(x);
      for (const [k, p] of Object.entries(POOLS)) {
        const y = tf.tidy(() => p.pool(tf, map));
        vecs[k].push(normalise(Float32Array.from(await y.data()), p.power));
        y.dispose();
      }
      tf.dispose([x, map]);
    }
    for (const k of Object.keys(POOLS)) {
      const mAP = +meanAP(vecs[k], items.map((i) => i.group)).toFixed(4);
      results.push({ set, model: m.name, pooling: k, mAP });
      console.log(set, m.name, k, mAP);
    }
  }
}
console.table(results);
mkdirSync(args.out, { recursive: true });
const file = join(args.out, `deep-pooling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`wrote ${file}`);
