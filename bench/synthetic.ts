// Synthetic embeddings for the k-NN benchmarks: clustered unit vectors with a low intrinsic
// dimension, as image embeddings have (100 centres in a 64-d latent space, points scattered
// around them, mapped to `dim` by a fixed random linear map, plus a little ambient noise).

import { mulberry32 } from '../src/domain/index.js';

const LATENT = 64;

export class Embeddings {
  private readonly lift: Float32Array;
  private readonly centres: Float32Array[];

  constructor(readonly dim: number) {
    const r = mulberry32(7);
    const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    this.lift = Float32Array.from({ length: LATENT * dim }, g);
    this.centres = Array.from({ length: 100 }, () => Float32Array.from({ length: LATENT }, g));
  }

  /** `n` vectors from a seed; vector i of a seed is always the same. */
  *generate(n: number, seed: number): Generator<Float32Array> {
    const r = mulberry32(seed);
    const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    for (let i = 0; i < n; i++) {
      const c = this.centres[Math.floor(r() * this.centres.length)];
      const z = Float32Array.from(c, (x) => x + 0.6 * g());
      const v = new Float32Array(this.dim);
      for (let k = 0; k < LATENT; k++) {
        const o = k * this.dim;
        for (let j = 0; j < this.dim; j++) v[j] += z[k] * this.lift[o + j];
      }
      let s = 0;
      for (let j = 0; j < this.dim; j++) { v[j] += 0.05 * g(); s += v[j] * v[j]; }
      const norm = Math.sqrt(s);
      for (let j = 0; j < this.dim; j++) v[j] /= norm;
      yield v;
    }
  }
}
