import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { mulberry32, type Metric, type Vector, type VectorKind } from '../domain/index.js';
import { FlatIndex } from './flat-index.js';
import { kernelFor } from './kernels.js';
import { Collection } from './collection.js';
import { createIndex } from './create-index.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import { parseIndexSpec, validateIndexSpec } from './spec.js';
import type { VectorIndex } from './vector-index.js';

const LABEL0 = 1_000_000; // labels start at an offset so an internal-id leak fails

/** Clustered unit vectors: `clusters` centres plus noise. */
function clustered(n: number, dim: number, seed: number, clusters = 20): Float32Array[] {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % clusters];
    const v = Float32Array.from(c, (x) => x + 0.6 * gauss());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function bits(n: number, bytes: number, seed: number): Uint8Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Uint8Array.from({ length: bytes }, () => Math.floor(r() * 256)));
}

interface Case { spec: string; metric: Metric; kind: VectorKind; dim: number }
const CASES: Case[] = [
  { spec: 'flat', metric: 'cosine', kind: 'float', dim: 32 },
  { spec: 'hnsw:m=16,efc=100,ef=100', metric: 'cosine', kind: 'float', dim: 32 },
  { spec: 'flat', metric: 'l2', kind: 'float', dim: 32 },
  { spec: 'hnsw:m=16,efc=100,ef=100', metric: 'l2', kind: 'float', dim: 32 },
  { spec: 'flat', metric: 'l1', kind: 'float', dim: 32 },
  { spec: 'flat', metric: 'jaccard', kind: 'float', dim: 32 },
  { spec: 'flat', metric: 'hamming', kind: 'binary', dim: 64 },
  { spec: 'flat', metric: 'jaccard', kind: 'binary', dim: 64 },
];

const dataFor = (c: Case, n: number, seed: number): Vector[] => (c.kind === 'binary' ? bits(n, c.dim / 8, seed) : clustered(n, c.dim, seed).map((v) => v.map(Math.abs)));

const tmp = mkdtempSync(join(tmpdir(), 'tusou-index-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const c of CASES) {
  describe(`VectorIndex contract: ${c.spec} / ${c.metric} / ${c.kind}`, () => {
    const shape = { metric: c.metric, kind: c.kind, dim: c.dim };
    const n = 2000;
    const data = dataFor(c, n, 7);
    const queries = dataFor(c, 50, 99);
    const build = (): VectorIndex => {
      const idx = createIndex(c.spec, shape);
      data.forEach((v, i) => idx.add(LABEL0 + i, v));
      return idx;
    };
    const idx = build();
    const truth = new FlatIndex(shape);
    data.forEach((v, i) => truth.add(LABEL0 + i, v));

    test('size, has and labels report what was added', () => {
      assert.equal(idx.size, n);
      assert.ok(idx.has(LABEL0) && idx.has(LABEL0 + n - 1) && !idx.has(0));
    });

    test('a stored vector is its own nearest neighbour at distance 0', () => {
      const hits = idx.search(data[123], 1);
      assert.equal(hits[0].label, LABEL0 + 123);
      assert.ok(Math.abs(hits[0].distance) < 1e-4, String(hits[0].distance));
    });

    test('results are nearest first and use labels, not internal ids', () => {
      const hits = idx.search(queries[0], 10);
      assert.equal(hits.length, 10);
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].distance <= hits[i].distance);
      for (const h of hits) assert.ok(h.label >= LABEL0 && h.label < LABEL0 + n);
    });

    test('distances agree with the exact kernel', () => {
      const kernel = kernelFor(c.metric, c.kind);
      for (const h of idx.search(queries[1], 5)) {
        assert.ok(Math.abs(h.distance - kernel(queries[1], data[h.label - LABEL0])) < 1e-3);
      }
    });

    test('recall@10 against exact search is at least 0.95', () => {
      let found = 0;
      for (const q of queries) {
        const exact = new Set(truth.search(q, 10).map((h) => h.label));
        found += idx.search(q, 10).filter((h) => exact.has(h.label)).length;
      }
      assert.ok(found / (queries.length * 10) >= 0.95, `recall ${found / (queries.length * 10)}`);
    });

    test('a 1 % filter returns only allowed labels and agrees with exact filtered search', () => {
      const allowed = new Set(Array.from({ length: n }, (_, i) => LABEL0 + i).filter((l) => l % 100 === 3));
      let found = 0;
      for (const q of queries.slice(0, 20)) {
        const got = idx.search(q, 10, (l) => allowed.has(l));
        assert.ok(got.every((h) => allowed.has(h.label)));
        const exact = new Set(truth.search(q, 10, (l) => allowed.has(l)).map((h) => h.label));
        found += got.filter((h) => exact.has(h.label)).length;
      }
      assert.ok(found / 200 >= 0.9, `filtered recall ${found / 200}`);
    });

    test('removed labels are never returned; re-adding works', () => {
      const local = build();
      const target = local.search(queries[2], 1)[0].label;
      assert.ok(local.remove(target));
      assert.ok(!local.remove(target));
      assert.ok(!local.has(target));
      assert.equal(local.size, n - 1);
      assert.ok(local.search(queries[2], 50).every((h) => h.label !== target));
      local.add(target, data[target - LABEL0]);
      assert.equal(local.search(data[target - LABEL0], 1)[0].label, target);
    });

    test('asking for more than the index holds returns what there is', () => {
      const small = createIndex(c.spec, shape);
      small.add(LABEL0 + 5, data[5]);
      small.add(LABEL0 + 6, data[6]);
      assert.equal(small.search(queries[0], 10).length, 2);
      assert.deepEqual(createIndex(c.spec, shape).search(queries[0], 10), []);
    });

    test('a collection snapshot round-trips and a mismatching snapshot is refused', () => {
      const local = Collection.create(c.spec, shape);
      data.forEach((v, i) => local.add(LABEL0 + i, v));
      local.remove(LABEL0 + 10);
      const name = `snap-${c.spec.replace(/\W/g, '')}-${c.metric}-${c.kind}`;
      saveSnapshot(local, tmp, name, 'test@1');
      const facts = { ...shape, spec: local.spec, descriptor: 'test@1' };
      const { collection, reason } = loadSnapshot(tmp, name, facts);
      assert.ok(collection, reason);
      assert.equal(collection.has(LABEL0 + 10), false, 'a label removed before the snapshot stays removed');
      assert.equal(collection.size, local.size);
      assert.deepEqual(new Set(collection.labels()), new Set(local.labels()));
      assert.deepEqual(collection.ann.search(queries[3], 5).map((h) => h.label), local.ann.search(queries[3], 5).map((h) => h.label));
      assert.equal(loadSnapshot(tmp, name, { ...facts, descriptor: 'other@1' }).collection, undefined);
      assert.equal(loadSnapshot(tmp, name, { ...facts, dim: c.dim * 2 }).collection, undefined);
      assert.ok(readdirSync(tmp).filter((f) => f.startsWith(`${name}.`) && f.endsWith('.payload')).length <= 2);
    });

    test('a snapshot records its store, instance epoch and watermark, and refuses another store or epoch', () => {
      const name = `origin-${c.spec.replace(/\W/g, '')}-${c.metric}-${c.kind}`;
      const c2 = Collection.create(c.spec, shape);
      data.forEach((v, i) => c2.add(LABEL0 + i, v));
      saveSnapshot(c2, tmp, name, 'test@1', Date.now(), { storeId: 's1', epoch: 7, watermark: 42 });
      const facts = { ...shape, spec: c2.spec, descriptor: 'test@1' };
      const ok = loadSnapshot(tmp, name, facts, { storeId: 's1', epoch: 7 });
      assert.ok(ok.collection, ok.reason);
      assert.equal(ok.watermark, 42);
      assert.match(loadSnapshot(tmp, name, facts, { storeId: 's2', epoch: 7 }).reason ?? '', /another store/);
      assert.match(loadSnapshot(tmp, name, facts, { storeId: 's1', epoch: 8 }).reason ?? '', /created again/);
    });
  });
}

describe('snapshots on disk', () => {
  test('a truncated payload is detected and not loaded', () => {
    const shape = { metric: 'cosine' as const, kind: 'float' as const, dim: 8 };
    const c = Collection.create('flat', shape);
    clustered(10, 8, 1).forEach((v, i) => c.add(i + 1, v));
    saveSnapshot(c, tmp, 'trunc', 'x@1');
    const payload = readdirSync(tmp).find((f) => f.startsWith('trunc.') && f.endsWith('.payload'))!;
    writeFileSync(join(tmp, payload), Buffer.alloc(10));
    const res = loadSnapshot(tmp, 'trunc', { ...shape, spec: 'flat', descriptor: 'x@1' });
    assert.equal(res.collection, undefined);
    assert.match(res.reason ?? '', /truncated/);
  });
});

describe('kernels', () => {
  test('hand-computed distances', () => {
    const a = Float32Array.of(1, 0, 0);
    const b = Float32Array.of(0, 1, 0);
    assert.equal(kernelFor('cosine', 'float')(a, b), 1);
    assert.equal(kernelFor('cosine', 'float')(a, a), 0);
    assert.ok(Math.abs(kernelFor('l2', 'float')(a, b) - Math.SQRT2) < 1e-9);
    assert.equal(kernelFor('l1', 'float')(a, b), 2);
    assert.equal(kernelFor('jaccard', 'float')(Float32Array.of(1, 1, 0), Float32Array.of(1, 0, 0)), 0.5);
    assert.equal(kernelFor('hamming', 'binary')(Uint8Array.of(0b1111_0000), Uint8Array.of(0b1010_0000)), 2);
    assert.equal(kernelFor('jaccard', 'binary')(Uint8Array.of(0b1100), Uint8Array.of(0b0110)), 1 - 1 / 3);
  });
});

describe('index specs', () => {
  test('parse, defaults and canonical form', () => {
    assert.deepEqual(parseIndexSpec('hnsw:m=32,ef=200'), { kind: 'hnsw', m: 32, efc: 100, ef: 200, proj: 0, rr: 64, qe: 0, dba: 0 });
    assert.deepEqual(parseIndexSpec('flat'), { kind: 'flat', proj: 0, rr: 64, qe: 0, dba: 0 });
    assert.equal(validateIndexSpec('hnsw', { metric: 'cosine', kind: 'float', dim: 512 }), 'hnsw:m=16,efc=100,ef=100');
    assert.equal(validateIndexSpec('hnsw:proj=128', { metric: 'cosine', kind: 'float', dim: 512 }), 'hnsw:m=16,efc=100,ef=100,proj=128,rr=64');
    assert.equal(validateIndexSpec('flat:proj=64,rr=100', { metric: 'l2', kind: 'float', dim: 512 }), 'flat:proj=64,rr=100');
    assert.equal(validateIndexSpec('hnsw:qe=3,proj=128', { metric: 'cosine', kind: 'float', dim: 512 }), 'hnsw:m=16,efc=100,ef=100,proj=128,rr=64,qe=3');
    assert.equal(validateIndexSpec('flat:qe=0', { metric: 'cosine', kind: 'float', dim: 512 }), 'flat');
    assert.equal(validateIndexSpec('hnsw:dba=3,qe=3,proj=128', { metric: 'cosine', kind: 'float', dim: 512 }), 'hnsw:m=16,efc=100,ef=100,proj=128,rr=64,qe=3,dba=3');
    assert.equal(validateIndexSpec('flat:dba=0', { metric: 'cosine', kind: 'float', dim: 512 }), 'flat');
    // The inner index of a collection takes none of the collection-level keys.
    const shape = { metric: 'cosine' as const, kind: 'float' as const, dim: 16 };
    assert.equal(createIndex('hnsw:proj=8,qe=3,dba=3', shape).spec, 'hnsw:m=16,efc=100,ef=100');
    assert.equal(Collection.create('hnsw:proj=8,qe=3,dba=3', shape).innerSpec, 'hnsw:m=16,efc=100,ef=100');
  });

  test('bad specs name the bad part and the valid keys', () => {
    assert.throws(() => parseIndexSpec('hnsw:q=1'), /unknown key q; valid keys are m, efc, ef, proj, rr, qe, dba/);
    assert.throws(() => parseIndexSpec('flat:m=16'), /unknown key m; valid keys are proj, rr, qe, dba/);
    assert.throws(() => parseIndexSpec('flat:qe=33'), /qe must be in 0\.\.32/);
    assert.throws(() => validateIndexSpec('flat:qe=3', { metric: 'hamming', kind: 'binary', dim: 64 }), /needs cosine on single float vectors, not hamming on binary/);
    assert.throws(() => validateIndexSpec('flat:qe=3', { metric: 'cosine', kind: 'float', dim: 128, parts: true }), /multi-part/);
    assert.throws(() => parseIndexSpec('flat:dba=17'), /dba must be in 0\.\.16/);
    assert.throws(() => validateIndexSpec('flat:dba=3', { metric: 'l2', kind: 'float', dim: 64 }), /dba \(database-side augmentation\).*not l2 on float/);
    assert.throws(() => parseIndexSpec('hnsw:m=1'), /m must be in 4\.\.64/);
    assert.throws(() => parseIndexSpec('ivf'), /unknown kind/);
    assert.throws(() => parseIndexSpec('hnsw:m'), /key=integer/);
    assert.throws(() => validateIndexSpec('hnsw', { metric: 'hamming', kind: 'binary', dim: 64 }), /use flat/);
    assert.throws(() => validateIndexSpec('flat:proj=32', { metric: 'l1', kind: 'float', dim: 64 }), /cannot be projected/);
    assert.throws(() => validateIndexSpec('flat:proj=64', { metric: 'cosine', kind: 'float', dim: 64 }), /smaller/);
  });
});
