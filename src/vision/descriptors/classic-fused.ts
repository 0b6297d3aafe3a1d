// Classic colour + texture + shape in one vector: the HSV centre/surround histogram, the LBP
// pyramid and PHOG, each L2-normalised and weighted, concatenated. Under cosine the similarity
// is the weighted sum of the parts' cosines, so a colour shift (which the colour part misses)
// or a crop (which the shape part misses) costs only a share of the score.

import type { FeatureExtractor } from '../feature-extractor.js';
import { hogPyramid } from './hog-pyramid.js';
import { hsvSpatial } from './hsv-spatial.js';
import { lbpPyramid } from './lbp-pyramid.js';
import { weightedConcat } from './vector-ops.js';

const SIZE = 128;
// Colour carries half the weight: it is the part that survives crops, rotations and flips.
const PARTS = [
  { extractor: hsvSpatial, weight: 0.5 },
  { extractor: lbpPyramid, weight: 0.25 },
  { extractor: hogPyramid, weight: 0.25 },
] as const;

const DIM = PARTS.reduce((n, p) => n + p.extractor.dim, 0);

/** 2×2 box downsampling of a SIZE×SIZE RGB thumbnail (the colour part works on 64×64). */
function halve(data: Uint8Array, channels: number): Uint8Array {
  const half = SIZE / 2;
  const out = new Uint8Array(half * half * 3);
  for (let y = 0; y < half; y++) {
    for (let x = 0; x < half; x++) {
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => data[(yy * SIZE + xx) * channels + c];
        out[(y * half + x) * 3 + c] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1) + 2) >> 2;
      }
    }
  }
  return out;
}

/** Rec. 709 luma of an RGB thumbnail. */
function luma(data: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(SIZE * SIZE);
  for (let p = 0, i = 0; p < out.length; p++, i += channels) out[p] = Math.round(0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2]);
  return out;
}

export const classicFused: FeatureExtractor = {
  id: 'classic-fused-713@1',
  dim: DIM,
  kind: 'float',
  metric: 'cosine',
  input: { width: SIZE, height: SIZE, fit: 'fill' },
  description: 'HSV centre/surround colour (weight 0.5) + LBP pyramid texture (0.25) + PHOG shape (0.25), concatenated, L2',
  async extract({ data, channels }) {
    const grey = { data: luma(data, channels), width: SIZE, height: SIZE, channels: 1 };
    const colour = { data: halve(data, channels), width: SIZE / 2, height: SIZE / 2, channels: 3 };
    const parts: [Float32Array, number][] = [];
    for (const { extractor, weight } of PARTS) {
      parts.push([(await extractor.extract(extractor === hsvSpatial ? colour : grey)) as Float32Array, Math.sqrt(weight)]);
    }
    return weightedConcat(parts);
  },
};
