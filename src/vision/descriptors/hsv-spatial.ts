// HSV colour histogram with a flip- and rotation-tolerant spatial layout: one histogram for a
// central ellipse, one for the surround. 12 hues × 3 saturations × 3 values for chromatic
// pixels plus 4 grey levels for achromatic ones, per region; square-rooted, L2-normalised.

import type { FeatureExtractor } from '../feature-extractor.js';
import { l2normalise } from './vector-ops.js';

const SIZE = 64;
const HUES = 12;
const CHROMATIC = HUES * 3 * 3;
const BINS = CHROMATIC + 4;
// Pixels below these are treated as grey or black: their hue is noise.
const MIN_SATURATION = 0.15;
const MIN_VALUE = 0.12;
// The centre ellipse spans 3/4 of the width and height (about 44 % of the area).
const CENTRE_RADIUS = 0.375;

function bin(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (s < MIN_SATURATION || v < MIN_VALUE) return CHROMATIC + Math.min(3, Math.floor(v * 4));
  let h: number;
  const d = max - min;
  if (max === r) h = ((g - b) / d + 6) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  const hb = Math.min(HUES - 1, Math.floor((h / 6) * HUES));
  const sb = s < 0.4 ? 0 : s < 0.7 ? 1 : 2;
  const vb = v < 0.4 ? 0 : v < 0.7 ? 1 : 2;
  return (hb * 3 + sb) * 3 + vb;
}

// Which region each thumbnail pixel belongs to (0 centre, 1 surround), computed once.
const REGION = Uint8Array.from({ length: SIZE * SIZE }, (_, i) => {
  const x = ((i % SIZE) + 0.5) / SIZE - 0.5;
  const y = (Math.floor(i / SIZE) + 0.5) / SIZE - 0.5;
  return (x / CENTRE_RADIUS) ** 2 + (y / CENTRE_RADIUS) ** 2 <= 1 ? 0 : 1;
});

export const hsvSpatial: FeatureExtractor = {
  id: 'hsv-spatial-224@1',
  dim: 2 * BINS,
  kind: 'float',
  metric: 'cosine',
  input: { width: SIZE, height: SIZE, fit: 'fill' },
  description: 'HSV colour histogram (108 colours + 4 greys) of a central ellipse and of its surround, sqrt + L2',
  extract({ data, channels }) {
    const h = new Float32Array(2 * BINS);
    const counts = [0, 0];
    for (let p = 0, i = 0; p < SIZE * SIZE; p++, i += channels) {
      const region = REGION[p];
      h[region * BINS + bin(data[i], data[i + 1], data[i + 2])] += 1;
      counts[region]++;
    }
    // Each region is a distribution (L1 = 1), so both weigh the same whatever their area.
    for (let j = 0; j < h.length; j++) h[j] = Math.sqrt(h[j] / counts[j < BINS ? 0 : 1]);
    return l2normalise(h);
  },
};
