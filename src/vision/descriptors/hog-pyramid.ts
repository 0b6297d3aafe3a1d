// Shape: a pyramid histogram of oriented gradients (PHOG) on a 128×128 grey thumbnail: 9
// unsigned orientation bins, magnitude-weighted, over 1×1, 2×2 and 4×4 grids; each level
// L1-normalised as a whole, square-rooted, then the concatenation L2-normalised.

import type { FeatureExtractor } from '../feature-extractor.js';
import { l2normalise } from './vector-ops.js';

const SIZE = 128;
const ORIENTATIONS = 9;
const LEVELS = [1, 2, 4] as const;
const CELLS = LEVELS.reduce((a, g) => a + g * g, 0);

export const hogPyramid: FeatureExtractor = {
  id: 'phog-189@1',
  dim: CELLS * ORIENTATIONS,
  kind: 'float',
  metric: 'cosine',
  input: { width: SIZE, height: SIZE, fit: 'fill', grey: true },
  description: 'pyramid histogram of oriented gradients (9 unsigned bins over 1x1, 2x2 and 4x4 grids, 128x128 grey), sqrt + L2',
  extract({ data, channels }) {
    const h = new Float32Array(CELLS * ORIENTATIONS);
    const px = (x: number, y: number) => data[(y * SIZE + x) * channels];
    for (let y = 1; y < SIZE - 1; y++) {
      for (let x = 1; x < SIZE - 1; x++) {
        const gx = px(x + 1, y) - px(x - 1, y);
        const gy = px(x, y + 1) - px(x, y - 1);
        const mag = Math.hypot(gx, gy);
        if (mag === 0) continue;
        // Unsigned orientation in [0, π), split linearly between the two nearest bins.
        let a = Math.atan2(gy, gx);
        if (a < 0) a += Math.PI;
        const f = (a / Math.PI) * ORIENTATIONS - 0.5;
        const b0 = Math.floor(f);
        const w1 = f - b0;
        const lo = (b0 + ORIENTATIONS) % ORIENTATIONS;
        const hi = (b0 + 1) % ORIENTATIONS;
        let base = 0;
        for (const g of LEVELS) {
          const cell = base + Math.floor((y * g) / SIZE) * g + Math.floor((x * g) / SIZE);
          h[cell * ORIENTATIONS + lo] += mag * (1 - w1);
          h[cell * ORIENTATIONS + hi] += mag * w1;
          base += g * g;
        }
      }
    }
    let start = 0;
    for (const g of LEVELS) {
      const end = start + g * g * ORIENTATIONS;
      let s = 0;
      for (let j = start; j < end; j++) s += h[j];
      for (let j = start; j < end; j++) h[j] = s > 0 ? Math.sqrt(h[j] / s) : 0;
      start = end;
    }
    return l2normalise(h);
  },
};
