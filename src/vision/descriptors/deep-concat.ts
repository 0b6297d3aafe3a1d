// MobileNetV2-mid (ImageNet) ⊕ the CenterNet backbone (COCO) in one vector, equal weights. The two
// backbones see categories differently and complement each other: Caltech-101 mAP 0.316 and 0.261
// alone, 0.347 together (exact search, bench/lab/category.ts). It costs both model passes.

import type { Vector } from '../../domain/index.js';
import type { Pixels } from '../feature-extractor.js';
import { centerNetBackbone } from './centernet-backbone.js';
import { pooledExtractor } from './deep.js';
import { mobileNetV2Mid } from './mobilenet-v2-mid.js';
import { weightedConcat } from './vector-ops.js';

/**
 * Area-average resampling of RGB pixels to a smaller size: each output pixel is the mean of the
 * input area it covers (fractional edges weighted), the filter that does not alias when shrinking.
 */
export function shrinkArea(p: Pixels, width: number, height: number): Pixels {
  const weights = (from: number, to: number) => Array.from({ length: to }, (_, o) => {
    const a = (o * from) / to;
    const b = ((o + 1) * from) / to;
    const taps: [number, number][] = [];
    for (let i = Math.floor(a); i < Math.min(from, Math.ceil(b)); i++) taps.push([i, Math.min(b, i + 1) - Math.max(a, i)]);
    return taps;
  });
  const xs = weights(p.width, width);
  const ys = weights(p.height, height);
  const c = p.channels;
  const out = new Uint8Array(width * height * c);
  const acc = new Float64Array(c);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      acc.fill(0);
      let total = 0;
      for (const [y, wy] of ys[oy]) {
        for (const [x, wx] of xs[ox]) {
          const w = wy * wx;
          const at = (y * p.width + x) * c;
          for (let k = 0; k < c; k++) acc[k] += w * p.data[at + k];
          total += w;
        }
      }
      const to = (oy * width + ox) * c;
      for (let k = 0; k < c; k++) out[to + k] = Math.round(acc[k] / total);
    }
  }
  return { data: out, width, height, channels: c };
}

async function extractBatch(batch: readonly Pixels[]): Promise<Vector[]> {
  const { width, height } = mobileNetV2Mid.input;
  const coco = await centerNetBackbone.extractBatch!(batch);
  const imagenet = await mobileNetV2Mid.extractBatch!(batch.map((p) => shrinkArea(p, width, height)));
  return imagenet.map((m, i) => weightedConcat([[m, 1], [coco[i], 1]]));
}

/** `mnv2mid-cn2272@1`: 2272 floats, L2-normalised, cosine; runs in the vision pool. */
export const deepConcat = pooledExtractor({
  id: 'mnv2mid-cn2272@1',
  dim: mobileNetV2Mid.dim + centerNetBackbone.dim,
  // CenterNet's 512 px; MobileNetV2 gets the same pixels shrunk to its 224.
  input: centerNetBackbone.input,
  description: 'MobileNetV2-mid (1792, ImageNet) concatenated with the CenterNet backbone GeM (480, COCO), equal weights, L2',
  extractBatch,
});
