// The pgvector SQL path, on PGlite with pgvector (Debian bookworm has no pgvector): exact k-NN in
// SQL agrees with tusou's own kernels for every metric pgvector has, filters included, and the
// HNSW path finds what the exact scan finds.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPglite } from '../../../test/support/pglite-driver.js';
import { DEFAULT_ATTRIBUTES, mulberry32, parseFilter, type Instance, type Metric, type Vector, type VectorKind } from '../../domain/index.js';
import { Collection, FlatIndex, kernelFor } from '../../index/index.js';
import { PgStore } from './pg-store.js';

const N = 300;
const DIM = 16;
const BITS = 64;
const instance: Instance = { name: 'v', serviceType: 'generic', capacity: 10_000, descriptor: 'f@1', metric: 'cosine', index: 'hnsw', createdAt: 1 };

describe('pgvector k-NN in SQL (PGlite)', () => {
  let store: PgStore;
  const floats = new Map<number, Float32Array>();
  const codes = new Map<number, Uint8Array>();
  const intAttr = new Map<number, number>();
  const r = mulberry32(42);

  before(async () => {
    store = await PgStore.open(await openPglite());
    await store.createInstance(instance);
    for (let i = 0; i < N; i++) {
      // Clustered, non-negative floats (one in 50 is all zeros: cosine's edge case).
      const f = Float32Array.from({ length: DIM }, (_, d) => (i % 50 === 7 ? 0 : Math.max(0, Math.sin(i % 9 + d) + r() * 0.5)));
      const c = Uint8Array.from({ length: BITS / 8 }, () => Math.floor(r() * 256));
      const put = await store.putImage('v', {
        productId: `p${i}`, picName: 'a', ...DEFAULT_ATTRIBUTES, categoryId: 0, intAttr: i % 10,
        region: { x1: 0, y1: 0, x2: 1, y2: 1 }, regions: [], width: 1, height: 1, format: 'png', sha256: 'a'.repeat(64), bytes: 1, createdAt: 1, updatedAt: 1,
      }, { 'f@1': f, 'b@1': c }, 10_000);
      floats.set(put.label, f);
      codes.set(put.label, c);
      intAttr.set(put.label, i % 10);
    }
  });
  after(() => store.close());

  test('CREATE EXTENSION vector succeeded, so the store offers k-NN in SQL', () => {
    assert.ok(store.vectorSearch);
    assert.equal(store.vectorSearch.supports('cosine', 'float'), true);
    assert.equal(store.vectorSearch.supports('hamming', 'binary'), true);
    assert.equal(store.vectorSearch.supports('jaccard', 'float'), false, 'weighted Jaccard has no pgvector operator');
  });

  const cases: [Metric, VectorKind][] = [['cosine', 'float'], ['l2', 'float'], ['l1', 'float'], ['hamming', 'binary'], ['jaccard', 'binary']];
  for (const [metric, kind] of cases) {
    test(`exact ${metric} on ${kind} vectors in SQL matches the kernels, within a filter`, async () => {
      const data: Map<number, Vector> = kind === 'float' ? floats : codes;
      const kernel = kernelFor(metric, kind);
      const filter = parseFilter('int_attr in (1, 3, 7)');
      for (const query of [...data.values()].slice(5, 9)) {
        const got = await store.vectorSearch!.nearest({
          instance: 'v', descriptor: kind === 'float' ? 'f@1' : 'b@1', metric, kind, dim: kind === 'float' ? DIM : BITS, vector: query,
          selection: { filter }, k: 10, mode: 'exact',
        });
        const want = [...data].filter(([l]) => [1, 3, 7].includes(intAttr.get(l)!)).map(([l, v]) => ({ label: l, distance: kernel(query, v) }))
          .sort((a, b) => a.distance - b.distance || a.label - b.label).slice(0, 10);
        assert.equal(got.candidates, 90);
        assert.deepEqual(got.hits.map((h) => h.distance.toFixed(4)), want.map((h) => h.distance.toFixed(4)));
        // Ties may order differently; a label at a distinct distance must match.
        got.hits.forEach((h, i) => { if (want.filter((w) => Math.abs(w.distance - want[i].distance) < 1e-6).length === 1) assert.equal(h.label, want[i].label); });
      }
    });
  }

  test('a zero vector is at cosine distance 1, as in the kernels', async () => {
    const zero = new Float32Array(DIM);
    const got = await store.vectorSearch!.nearest({ instance: 'v', descriptor: 'f@1', metric: 'cosine', kind: 'float', dim: DIM, vector: zero, selection: { productId: 'p7' }, k: 1, mode: 'exact' });
    assert.equal(got.hits[0].distance, 1);
  });

  test('the HNSW index in the store finds what the exact scan finds, also under a filter', async () => {
    const vs = store.vectorSearch!;
    assert.equal(await vs.hasAnnIndex('f@1', 'l2', 'float', DIM), false);
    await vs.ensureAnnIndex('f@1', 'l2', 'float', DIM, { m: 16, efConstruction: 64 });
    await vs.ensureAnnIndex('f@1', 'l2', 'float', DIM);
    assert.equal(await vs.hasAnnIndex('f@1', 'l2', 'float', DIM), true);
    let found = 0;
    let total = 0;
    for (const query of [...floats.values()].slice(20, 40)) {
      for (const selection of [{}, { filter: parseFilter('int_attr < 5') }]) {
        const base = { instance: 'v', descriptor: 'f@1', metric: 'l2' as const, kind: 'float' as const, dim: DIM, vector: query, selection, k: 10 };
        const exact = new Set((await vs.nearest({ ...base, mode: 'exact' })).hits.map((h) => h.label));
        const ann = await vs.nearest({ ...base, mode: 'ann' });
        assert.equal(ann.hits.length, 10);
        for (const h of ann.hits) if (selection.filter) assert.ok(intAttr.get(h.label)! < 5, 'only selected images');
        found += ann.hits.filter((h) => exact.has(h.label)).length;
        total += exact.size;
      }
    }
    assert.ok(found / total >= 0.9, `recall@10 ${found / total}`);
  });

  test('the planner answers a filtered search in SQL and agrees with its scan in memory', async () => {
    const { nearest } = await import('../../engine/index.js');
    const w: Instance = { ...instance, name: 'w', descriptor: 'colour-hist-rgb512@1', metric: 'l1', index: 'flat' };
    await store.createInstance(w);
    const index = Collection.create('flat', { metric: 'l1', kind: 'float', dim: 512 });
    const vectors: Float32Array[] = [];
    for (let i = 0; i < 60; i++) {
      const v = Float32Array.from({ length: 512 }, () => r());
      vectors.push(v);
      const put = await store.putImage('w', {
        productId: `w${i}`, picName: 'a', ...DEFAULT_ATTRIBUTES, categoryId: 0, intAttr: i % 4,
        region: { x1: 0, y1: 0, x2: 1, y2: 1 }, regions: [], width: 1, height: 1, format: 'png', sha256: 'b'.repeat(64), bytes: 1, createdAt: 1, updatedAt: 1,
      }, { 'colour-hist-rgb512@1': v }, 10_000);
      index.add(put.label, v, { ...DEFAULT_ATTRIBUTES, categoryId: 0, intAttr: i % 4 });
    }
    const selection = { filter: parseFilter('int_attr = 3') };
    const inSql = await nearest({ store, collection: index, exactMaxCandidates: 1000, storeSearch: store.vectorSearch }, w, vectors[9], selection, 5);
    const inMemory = await nearest({ store, collection: index, exactMaxCandidates: 1000 }, w, vectors[9], selection, 5);
    assert.equal(inSql.path, 'store-exact');
    assert.notEqual(inMemory.path, 'store-exact');
    assert.equal(inSql.candidates, 15);
    assert.deepEqual(inSql.hits.map((h) => h.label), inMemory.hits.map((h) => h.label));
    inSql.hits.forEach((h, i) => assert.ok(Math.abs(h.distance - inMemory.hits[i].distance) < 1e-3));
  });
});
