// Distance kernels, chosen once per index (hnswlib space_ip.h): the hot loop never branches on
// the metric. Float vectors are Float32Array; binary codes are packed bits in Uint8Array.

import type { Metric, Vector, VectorKind } from '../domain/index.js';

export type Kernel = (a: Vector, b: Vector) => number;

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let x = i; x; x >>= 1) n += x & 1;
  return n;
});

function cosine(a: Vector, b: Vector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const d = Math.sqrt(na * nb);
  return d > 0 ? 1 - dot / d : 1;
}

function l2(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] - b[i];
    s += t * t;
  }
  return Math.sqrt(s);
}

function l1(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s;
}

/** Weighted Jaccard distance for non-negative floats: 1 − Σmin/Σmax. */
function jaccardFloat(a: Vector, b: Vector): number {
  let mn = 0;
  let mx = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] > 0 ? a[i] : 0;
    const y = b[i] > 0 ? b[i] : 0;
    if (x < y) { mn += x; mx += y; } else { mn += y; mx += x; }
  }
  return mx > 0 ? 1 - mn / mx : 0;
}

function hamming(a: Vector, b: Vector): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[a[i] ^ b[i]];
  return d;
}

/** Jaccard distance of bit sets: 1 − |a∧b| / |a∨b|. */
function jaccardBits(a: Vector, b: Vector): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += POPCOUNT[a[i] & b[i]];
    union += POPCOUNT[a[i] | b[i]];
  }
  return union > 0 ? 1 - inter / union : 0;
}

/** The distance function for a metric over vectors of a kind (validated by the caller). */
export function kernelFor(metric: Metric, kind: VectorKind): Kernel {
  if (kind === 'binary') return metric === 'jaccard' ? jaccardBits : hamming;
  switch (metric) {
    case 'cosine': return cosine;
    case 'l2': return l2;
    case 'l1': return l1;
    case 'jaccard': return jaccardFloat;
    case 'hamming': return hamming;
  }
}
