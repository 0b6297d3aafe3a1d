// Projections from a descriptor's space into a smaller index space, so an index holds compact
// vectors (memory) while the store keeps the full ones for exact re-ranking of the short list.
// Random orthogonal projections preserve distances up to a small, dimension-dependent error
// (Johnson–Lindenstrauss) and need no training: the same seed always gives the same matrix.

import { mulberry32 } from '../domain/index.js';

/** A linear map from `inDim` to `outDim` dimensions whose output is L2-normalised. */
export interface Projection {
  readonly inDim: number;
  readonly outDim: number;
  /** Stable description for snapshot headers, e.g. `rp:1792>128:seed=1`. */
  readonly id: string;
  apply(v: Float32Array): Float32Array;
}

/**
 * A seeded random projection with orthonormal rows (Gaussian rows, Gram–Schmidt).
 * @example randomProjection(1792, 128).apply(vector) // Float32Array(128), unit length
 */
export function randomProjection(inDim: number, outDim: number, seed = 1): Projection {
  if (outDim > inDim) throw new RangeError(`cannot project ${inDim} dimensions into ${outDim}`);
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const rows = new Float64Array(outDim * inDim);
  for (let i = 0; i < outDim; i++) {
    const row = rows.subarray(i * inDim, (i + 1) * inDim);
    for (let j = 0; j < inDim; j++) row[j] = gauss();
    for (let p = 0; p < i; p++) {
      const prev = rows.subarray(p * inDim, (p + 1) * inDim);
      let dot = 0;
      for (let j = 0; j < inDim; j++) dot += row[j] * prev[j];
      for (let j = 0; j < inDim; j++) row[j] -= dot * prev[j];
    }
    let norm = 0;
    for (let j = 0; j < inDim; j++) norm += row[j] * row[j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < inDim; j++) row[j] /= norm;
  }
  const m = Float32Array.from(rows);
  return {
    inDim, outDim, id: `rp:${inDim}>${outDim}:seed=${seed}`,
    apply(v) {
      const out = new Float32Array(outDim);
      let norm = 0;
      for (let i = 0; i < outDim; i++) {
        let s = 0;
        const o = i * inDim;
        for (let j = 0; j < inDim; j++) s += m[o + j] * v[j];
        out[i] = s;
        norm += s * s;
      }
      norm = Math.sqrt(norm);
      if (norm > 0) for (let i = 0; i < outDim; i++) out[i] /= norm;
      return out;
    },
  };
}
