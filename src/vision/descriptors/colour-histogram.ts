// Joint RGB colour histogram, 8×8×8 bins on a 64×64 thumbnail, square-rooted and L2-normalised
// (Hellinger kernel under cosine). Cheap, robust to rescaling and compression, blind to shape.

import type { FeatureExtractor } from '../feature-extractor.js';
import { l2normalise } from './vector-ops.js';

export const colourHistogram: FeatureExtractor = {
  id: 'colour-hist-rgb512@1',
  dim: 512,
  kind: 'float',
  metric: 'cosine',
  input: { width: 64, height: 64, fit: 'fill' },
  description: 'joint RGB colour histogram (8x8x8 bins), sqrt + L2',
  extract({ data, channels }) {
    const h = new Float32Array(512);
    for (let i = 0; i < data.length; i += channels) {
      h[((data[i] >> 5) << 6) | ((data[i + 1] >> 5) << 3) | (data[i + 2] >> 5)] += 1;
    }
    for (let j = 0; j < h.length; j++) h[j] = Math.sqrt(h[j]);
    return l2normalise(h);
  },
};
