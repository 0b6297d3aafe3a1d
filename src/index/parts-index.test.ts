import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/support/server.js';
import { kernelFor } from './kernels.js';
import { MAX_PARTS, PartsIndex, nearestPart, partsKernel, splitParts } from './parts-index.js';
import { Collection } from './collection.js';
import { createIndex } from './create-index.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';

const DIM = 8;
/** A seeded unit vector. */
function unit(seed: number): Float32Array {
  let x = seed * 9301 + 49297;
  const v = Float32Array.from({ length: DIM }, () => { x = (x * 9301 + 49297) % 233280; return x / 233280 - 0.5; });
  const n = Math.hypot(...v);
  return v.map((c) => c / n);
}
const concat = (...parts: Float32Array[]) => { const out = new Float32Array(parts.length * DIM); parts.forEach((p, i) => out.set(p, i * DIM)); return out; };

for (const spec of ['flat', 'hnsw:m=16,efc=100,ef=100']) {
  describe(`parts index over ${spec}`, () => {
    const shape = { metric: 'cosine' as const, kind: 'float' as const, dim: DIM, parts: true };
    // Labels start high so a leak of internal part ids would show.
    const vectorOf = (label: number) => { const l = label - 1000; return concat(...Array.from({ length: 1 + (l % 4) }, (_, p) => unit(l * 10 + p))); };
    const build = () => {
      const index = createIndex(spec, shape);
      for (let l = 0; l < 50; l++) index.add(1000 + l, vectorOf(1000 + l));
      return index;
    };

    test('a label ranks by its nearest part and is returned once, under its own label', () => {
      const index = build();
      assert.ok(index instanceof PartsIndex);
      assert.equal(index.size, 50);
      // Label 1003 holds 4 parts; its third part is the query.
      const hits = index.search(unit(32), 5);
      assert.equal(hits[0].label, 1003);
      assert.ok(hits[0].distance < 1e-5);
      assert.equal(new Set(hits.map((h) => h.label)).size, hits.length);
      assert.ok(hits.every((h) => h.label >= 1000 && h.label < 1050));
    });

    test('k labels come back even when several parts of a label crowd the top', () => {
      const index = createIndex(spec, shape);
      const q = unit(7);
      // Label 1 holds 16 near-copies of the query; 5 other labels hold one vector each.
      index.add(1, concat(...Array.from({ length: MAX_PARTS }, () => q)));
      for (let l = 2; l <= 6; l++) index.add(l, unit(l + 100));
      assert.deepEqual(index.search(q, 4).map((h) => h.label).slice(0, 1), [1]);
      assert.equal(index.search(q, 4).length, 4);
    });

    test('filters see labels, remove drops every part, re-adding replaces the parts', () => {
      const index = build();
      assert.ok(index.search(unit(32), 3, (l) => l !== 1003).every((h) => h.label !== 1003));
      assert.equal(index.remove(1003), true);
      assert.equal(index.has(1003), false);
      assert.ok(index.search(unit(32), 50).every((h) => h.label !== 1003));
      index.add(1004, unit(999));
      assert.equal(index.search(unit(999), 1)[0].label, 1004);
      assert.ok(index.search(unit(40), 1)[0].label !== 1004, 'the old parts of 1004 are gone');
      assert.equal(index.size, 49);
    });

    test('a collection snapshot of parts reloads with the same labels and answers', async () => {
      const dir = await tempDir('tusou-parts-');
      try {
        const index = build();
        const c = Collection.create(index.spec, shape);
        for (const label of index.labels()) c.add(label, vectorOf(label));
        c.remove(1010);
        saveSnapshot(c, dir, 'faces', 'faceapi-rec128@1');
        const loaded = loadSnapshot(dir, 'faces', { ...shape, spec: c.spec, descriptor: 'faceapi-rec128@1' });
        assert.ok(loaded.collection?.ann instanceof PartsIndex, loaded.reason);
        // hnswlib lists deleted ids after a load; the registry removes labels the store lacks.
        loaded.collection.remove(1010);
        assert.deepEqual([...loaded.collection.labels()].sort(), [...c.labels()].sort());
        assert.deepEqual(loaded.collection.ann.search(unit(32), 3), c.ann.search(unit(32), 3));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('parts kernels', () => {
  test('the exact-scan kernel and nearestPart agree with the index: the nearest part wins', () => {
    const cos = kernelFor('cosine', 'float');
    const stored = concat(unit(1), unit(2), unit(3));
    assert.ok(Math.abs(partsKernel(cos, DIM)(unit(2), stored)) < 1e-6);
    assert.equal(nearestPart(cos, DIM, unit(3), stored).part, 2);
    assert.throws(() => splitParts(new Float32Array(DIM + 1), DIM), RangeError);
    assert.throws(() => splitParts(new Float32Array(DIM * (MAX_PARTS + 1)), DIM), RangeError);
  });
});
