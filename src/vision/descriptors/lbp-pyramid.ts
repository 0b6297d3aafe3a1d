// Texture: uniform local binary patterns LBP(8,1) (58 uniform codes + 1 for the rest) on a
// 128×128 grey thumbnail, over the whole picture and its 2×2 quadrants. Flat pixels (no
// neighbour differs by FLAT_LEVELS or more) get their own, down-weighted bin, so texture rather
// than the amount of flat background decides. Each cell L1-normalised, square-rooted; then L2.

import type { FeatureExtractor } from '../feature-extractor.js';
import { l2normalise } from './vector-ops.js';

const SIZE = 128;
const CODES = 59;
// One more bin per cell for flat pixels.
const BINS = CODES + 1;
const CELLS = 5;
// Below this contrast a neighbourhood is flat: JPEG and resampling noise would otherwise turn
// smooth areas into random codes.
const FLAT_LEVELS = 4;
// Weight of the flat bin after the square root (a picture that is mostly flat would else be
// described by little more than that fact).
const FLAT_WEIGHT = 0.3;

// Map from the 256 LBP codes to 0..57 for the uniform ones (≤ 2 bit transitions) and 58 otherwise.
const UNIFORM = (() => {
  const map = new Uint8Array(256);
  let next = 0;
  for (let c = 0; c < 256; c++) {
    let transitions = 0;
    for (let b = 0; b < 8; b++) if (((c >> b) & 1) !== ((c >> ((b + 1) % 8)) & 1)) transitions++;
    map[c] = transitions <= 2 ? next++ : 58;
  }
  return map;
})();

// Neighbours in circular order, so that bit order follows the circle (needed for uniformity).
const NEIGHBOURS: readonly [number, number][] = [[-1, -1], [0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0]];

export const lbpPyramid: FeatureExtractor = {
  id: 'lbp-u2-pyr-300@1',
  dim: CELLS * BINS,
  kind: 'float',
  metric: 'cosine',
  input: { width: SIZE, height: SIZE, fit: 'fill', grey: true },
  description: 'uniform LBP(8,1) histograms (+ a flat-pixel bin) of the whole picture and its 2x2 quadrants (128x128 grey), sqrt + L2',
  extract({ data, channels }) {
    const h = new Float32Array(CELLS * BINS);
    const half = SIZE / 2;
    for (let y = 1; y < SIZE - 1; y++) {
      for (let x = 1; x < SIZE - 1; x++) {
        const c = data[(y * SIZE + x) * channels];
        let code = 0;
        let contrast = 0;
        for (let b = 0; b < 8; b++) {
          const [dx, dy] = NEIGHBOURS[b];
          const n = data[((y + dy) * SIZE + x + dx) * channels];
          if (n >= c) code |= 1 << b;
          contrast = Math.max(contrast, Math.abs(n - c));
        }
        const bin = contrast < FLAT_LEVELS ? CODES : UNIFORM[code];
        h[bin] += 1;
        const quadrant = 1 + (y < half ? 0 : 2) + (x < half ? 0 : 1);
        h[quadrant * BINS + bin] += 1;
      }
    }
    for (let cell = 0; cell < CELLS; cell++) {
      let s = 0;
      for (let j = 0; j < BINS; j++) s += h[cell * BINS + j];
      for (let j = 0; j < BINS; j++) h[cell * BINS + j] = s > 0 ? Math.sqrt(h[cell * BINS + j] / s) : 0;
      h[cell * BINS + CODES] *= FLAT_WEIGHT;
    }
    return l2normalise(h);
  },
};
