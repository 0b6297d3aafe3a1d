// The main-region fallback when the detector finds nothing: a box around what stands out from the
// background. Contrast to the border colour (product shots on plain backgrounds) plus edge energy
// (textured subjects), on a small thumbnail; the box holds the central mass of that saliency.

import type { Box, DetectedRegion } from '../../domain/index.js';

/** Side of the square thumbnail the saliency map is computed on. */
export const SALIENCY_PX = 64;

// Share of saliency mass cut on each side: the box spans the 5th to the 95th percentile.
const TAIL = 0.05;
// Boxes covering more than this share of the picture are reported as the whole picture.
const WHOLE = 0.9;
// The box is at least this share of each side, so a speck never becomes the subject.
const MIN_SIDE = 0.2;

// Width of the centre prior, in picture sides.
const CENTRE_SIGMA = 0.4;

/** Saliency per thumbnail pixel: distance to the median border colour plus gradient magnitude, centre-weighted. */
export function saliencyMap(rgb: Uint8Array, w: number, h: number, channels = 3): Float32Array {
  const border: number[][] = [[], [], []];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x > 1 && y > 1 && x < w - 2 && y < h - 2) continue;
      for (let c = 0; c < 3; c++) border[c].push(rgb[(y * w + x) * channels + c]);
    }
  }
  const bg = border.map((v) => v.sort((a, b) => a - b)[v.length >> 1]);
  const grey = new Float32Array(w * h);
  const contrast = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const r = rgb[i * channels];
    const g = rgb[i * channels + 1];
    const b = rgb[i * channels + 2];
    grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    contrast[i] = Math.hypot(r - bg[0], g - bg[1], b - bg[2]);
  }
  const edges = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      edges[i] = Math.hypot(grey[i + 1] - grey[i - 1], grey[i + w] - grey[i - w]);
    }
  }
  const norm = (a: Float32Array) => {
    let m = 0;
    for (const v of a) m = Math.max(m, v);
    if (m > 0) for (let i = 0; i < a.length; i++) a[i] /= m;
    return a;
  };
  norm(contrast);
  norm(edges);
  // A mild centre prior: photographers centre their subject; bright clutter at the edges is
  // more often background (street lights, window frames).
  const s = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5) / w - 0.5;
      const dy = (y + 0.5) / h - 0.5;
      const i = y * w + x;
      s[i] = (contrast[i] + 0.5 * edges[i]) * Math.exp(-(dx * dx + dy * dy) / (2 * CENTRE_SIGMA * CENTRE_SIGMA));
    }
  }
  return s;
}

/** The [lo, hi) index range holding the central (1 − 2·TAIL) of a 1-D mass distribution. */
function massRange(mass: Float64Array): [number, number] {
  let total = 0;
  for (const m of mass) total += m;
  let lo = 0;
  let acc = 0;
  while (lo < mass.length - 1 && acc + mass[lo] <= total * TAIL) acc += mass[lo++];
  let hi = mass.length;
  acc = 0;
  while (hi > lo + 1 && acc + mass[hi - 1] <= total * TAIL) acc += mass[--hi];
  return [lo, hi];
}

/**
 * The salient region of a picture from its thumbnail (`SALIENCY_PX` square, stretched), in
 * original pixels. Never fails: a flat picture gives the whole picture.
 */
export function salientRegion(rgb: Uint8Array, thumbW: number, thumbH: number, width: number, height: number, channels = 3): DetectedRegion {
  const s = saliencyMap(rgb, thumbW, thumbH, channels);
  // Pixels below the mean are background; keeping only the excess sharpens the mass ranges.
  let mean = 0;
  for (const v of s) mean += v;
  mean /= s.length;
  const cols = new Float64Array(thumbW);
  const rows = new Float64Array(thumbH);
  let total = 0;
  for (let y = 0; y < thumbH; y++) {
    for (let x = 0; x < thumbW; x++) {
      const e = Math.max(0, s[y * thumbW + x] - mean);
      cols[x] += e;
      rows[y] += e;
      total += e;
    }
  }
  const whole: DetectedRegion = { box: { x1: 0, y1: 0, x2: width, y2: height }, label: 'salient', score: 0 };
  if (!(total > 0)) return whole;
  let [x1, x2] = massRange(cols);
  let [y1, y2] = massRange(rows);
  [x1, x2] = widen(x1, x2, thumbW);
  [y1, y2] = widen(y1, y2, thumbH);
  const box: Box = {
    x1: Math.floor((x1 / thumbW) * width),
    y1: Math.floor((y1 / thumbH) * height),
    x2: Math.ceil((x2 / thumbW) * width),
    y2: Math.ceil((y2 / thumbH) * height),
  };
  const share = ((box.x2 - box.x1) * (box.y2 - box.y1)) / (width * height);
  if (share > WHOLE) return whole;
  // Score: how much of the saliency the box holds beyond what its area alone would hold.
  let inside = 0;
  for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) inside += Math.max(0, s[y * thumbW + x] - mean);
  const score = Math.max(0, Math.min(1, inside / total - share));
  return { box, label: 'salient', score: Math.round(score * 1000) / 1000 };
}

function widen(lo: number, hi: number, n: number): [number, number] {
  const min = Math.ceil(n * MIN_SIDE);
  if (hi - lo >= min) return [lo, hi];
  const c = (lo + hi) / 2;
  const a = Math.max(0, Math.min(n - min, Math.round(c - min / 2)));
  return [a, a + min];
}
