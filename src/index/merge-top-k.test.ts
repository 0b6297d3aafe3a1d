// Scatter-gather: the merge of per-partition top-k lists equals the top k of the whole set.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'node:test';
import { FlatIndex } from './flat-index.js';
import { mergeTopK, partitionOf } from './merge-top-k.js';

test('merging the top k of each partition gives the top k of all vectors, however they are partitioned', () => {
  fc.assert(fc.property(
    fc.array(fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }),
    (rows, partitions, k, salt) => {
      const shape = { metric: 'l2' as const, kind: 'float' as const, dim: 4 };
      const whole = new FlatIndex(shape);
      const shards = Array.from({ length: partitions }, () => new FlatIndex(shape));
      rows.forEach((r, i) => {
        const v = Float32Array.from(r);
        whole.add(100 + i, v);
        shards[partitionOf(`p${i}:${salt}`, partitions)].add(100 + i, v);
      });
      const q = Float32Array.from(rows[0]).map((x) => x * 0.5);
      const merged = mergeTopK(shards.map((s) => s.search(q, k)), k);
      const want = whole.search(q, k);
      assert.deepEqual(merged.map((h) => h.distance), want.map((h) => h.distance));
    },
  ), { numRuns: 300 });
});

test('a label answered by two partitions counts once, at its nearer distance; k bounds the result', () => {
  const merged = mergeTopK([
    [{ label: 1, distance: 0.3 }, { label: 2, distance: 0.5 }],
    [{ label: 1, distance: 0.2 }, { label: 3, distance: 0.5 }],
    [],
  ], 3);
  assert.deepEqual(merged, [{ label: 1, distance: 0.2 }, { label: 2, distance: 0.5 }, { label: 3, distance: 0.5 }]);
  assert.deepEqual(mergeTopK([[{ label: 1, distance: 0 }]], 0), []);
});

test('hash partitions are stable and spread keys', () => {
  assert.equal(partitionOf('shoe-1', 8), partitionOf('shoe-1', 8));
  const counts = new Array(4).fill(0);
  for (let i = 0; i < 4000; i++) counts[partitionOf(`product-${i}`, 4)]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, String(counts));
});
