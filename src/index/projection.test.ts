import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../domain/index.js';
import { FlatIndex } from './flat-index.js';
import { randomProjection } from './projection.js';

/** Unit vectors with a low intrinsic dimension (as image embeddings have): a 32-d latent mapped to `dim`. */
function embeddings(n: number, dim: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const r2 = mulberry32(99);
  const g2 = () => Math.sqrt(-2 * Math.log(r2() + 1e-12)) * Math.cos(2 * Math.PI * r2());
  const map = Array.from({ length: 32 }, () => Float32Array.from({ length: dim }, g2));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: 32 }, g);
    const v = new Float32Array(dim);
    for (let k = 0; k < 32; k++) for (let j = 0; j < dim; j++) v[j] += z[k] * map[k][j];
    for (let j = 0; j < dim; j++) v[j] += 0.3 * g();
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

test('a random projection is deterministic, orthonormal and returns unit vectors', () => {
  const p = randomProjection(300, 64, 7);
  const q = randomProjection(300, 64, 7);
  const v = embeddings(1, 300, 1)[0];
  assert.deepEqual(p.apply(v), q.apply(v));
  assert.ok(Math.abs(Math.hypot(...p.apply(v)) - 1) < 1e-5);
  assert.equal(p.id, 'rp:300>64:seed=7');
  assert.throws(() => randomProjection(10, 20), /cannot project/);
});

test('the true 10 nearest neighbours are almost all within the 50 nearest after projecting 512 → 128', () => {
  const data = embeddings(3000, 512, 2);
  const queries = embeddings(40, 512, 3);
  const p = randomProjection(512, 128);
  const full = new FlatIndex({ metric: 'cosine', kind: 'float', dim: 512 });
  const small = new FlatIndex({ metric: 'cosine', kind: 'float', dim: 128 });
  data.forEach((v, i) => { full.add(i + 1, v); small.add(i + 1, p.apply(v)); });
  let found = 0;
  for (const q of queries) {
    const shortlist = new Set(small.search(p.apply(q), 50).map((h) => h.label));
    found += full.search(q, 10).filter((h) => shortlist.has(h.label)).length;
  }
  assert.ok(found / (queries.length * 10) >= 0.95, `recall ${found / (queries.length * 10)}`);
});
