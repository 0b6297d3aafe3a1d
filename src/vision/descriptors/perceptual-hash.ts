// Perceptual hashes compared by Hamming distance: pHash (DCT of a 32×32 grey thumbnail, 8×8
// low frequencies vs their median) and dHash (sign of horizontal gradients on a 9×8 thumbnail).

import type { FeatureExtractor } from '../feature-extractor.js';
import { packBits } from './vector-ops.js';

const N = 32;
const K = 8;
// DCT-II basis for the first K frequencies over N samples, computed once.
const COS = Array.from({ length: K }, (_, u) => Float64Array.from({ length: N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N))));

export const pHash: FeatureExtractor = {
  id: 'phash-64@1',
  dim: 64,
  kind: 'binary',
  metric: 'hamming',
  input: { width: N, height: N, fit: 'fill', grey: true },
  description: 'perceptual hash: 8x8 low-frequency DCT coefficients of a 32x32 grey thumbnail vs their median',
  extract({ data, channels }) {
    // rows first: R[y][u] = sum_x p(x,y) cos(u,x); then columns: D[v][u] = sum_y R[y][u] cos(v,y)
    const rows = new Float64Array(N * K);
    for (let y = 0; y < N; y++) {
      for (let u = 0; u < K; u++) {
        let s = 0;
        for (let x = 0; x < N; x++) s += data[(y * N + x) * channels] * COS[u][x];
        rows[y * K + u] = s;
      }
    }
    const coeffs = new Float64Array(K * K);
    for (let v = 0; v < K; v++) {
      for (let u = 0; u < K; u++) {
        let s = 0;
        for (let y = 0; y < N; y++) s += rows[y * K + u] * COS[v][y];
        coeffs[v * K + u] = s;
      }
    }
    // The DC term carries brightness only; the median over the other 63 sets the threshold.
    const ac = Array.from(coeffs.subarray(1)).sort((a, b) => a - b);
    const median = ac[ac.length >> 1];
    return packBits(Array.from(coeffs, (c, i) => i > 0 && c > median));
  },
};

export const dHash: FeatureExtractor = {
  id: 'dhash-64@1',
  dim: 64,
  kind: 'binary',
  metric: 'hamming',
  input: { width: 9, height: 8, fit: 'fill', grey: true },
  description: 'difference hash: signs of horizontal gradients on a 9x8 grey thumbnail',
  extract({ data, channels }) {
    const bits: boolean[] = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits.push(data[(y * 9 + x) * channels] < data[(y * 9 + x + 1) * channels]);
    return packBits(bits);
  },
};
