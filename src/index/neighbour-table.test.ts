// The neighbour table of database-side augmentation: lists keep the k nearest, newcomers are
// adopted only when nearer than the k-th, a removed image makes its owners pending, and lists
// survive a snapshot.

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Collection } from './collection.js';
import { NeighbourTable } from './neighbour-table.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';

const labelsOf = (t: NeighbourTable, l: number) => t.get(l).map((n) => n.label);

describe('neighbour table', () => {
  test('a list keeps the k nearest of its candidates, itself excluded, nearest first', () => {
    const t = new NeighbourTable(2);
    t.added(1);
    assert.deepEqual([...t.pending], [1]);
    t.set(1, [{ label: 2, sim: 0.5 }, { label: 1, sim: 1 }, { label: 3, sim: 0.9 }, { label: 4, sim: 0.7 }]);
    assert.deepEqual(labelsOf(t, 1), [3, 4]);
    assert.equal(t.pending.size, 0);
  });

  test('an offer enters only when nearer than the k-th neighbour, and never twice', () => {
    const t = new NeighbourTable(2);
    t.set(1, [{ label: 3, sim: 0.9 }, { label: 4, sim: 0.7 }]);
    t.offer(1, 5, 0.6);
    assert.deepEqual(labelsOf(t, 1), [3, 4]);
    t.offer(1, 5, 0.8);
    assert.deepEqual(labelsOf(t, 1), [3, 5]);
    t.offer(1, 3, 0.95);
    assert.deepEqual(labelsOf(t, 1), [3, 5]);
    // An image without a list (pending) adopts nothing: linking gives it a whole list.
    t.offer(9, 1, 0.75);
    assert.deepEqual(labelsOf(t, 9), []);
  });

  test('after a removal, a sweep makes pending exactly the images whose lists name a removed image', () => {
    const t = new NeighbourTable(2);
    t.set(1, [{ label: 3, sim: 0.9 }, { label: 4, sim: 0.7 }]);
    t.set(2, [{ label: 4, sim: 0.8 }, { label: 5, sim: 0.6 }]);
    t.set(3, [{ label: 1, sim: 0.9 }, { label: 5, sim: 0.5 }]);
    t.offer(1, 5, 0.8); // 4 leaves the list of 1
    t.remove(4);
    assert.equal(t.pending.size, 0);
    t.sweep();
    assert.deepEqual([...t.pending], [2]);
    assert.deepEqual(labelsOf(t, 2), []);
    assert.deepEqual(labelsOf(t, 1), [3, 5]);
    t.remove(5);
    t.remove(2);
    t.sweep();
    assert.deepEqual([...t.pending].sort(), [1, 3]);
  });

  test('the table grows past its first rows and removal keeps every other list', () => {
    const t = new NeighbourTable(2);
    for (let l = 1; l <= 300; l++) t.added(l);
    assert.equal(t.pending.size, 300);
    assert.equal(t.size, 0);
    for (let l = 2; l <= 300; l += 2) t.set(l, [{ label: l + 1000, sim: 0.5 }, { label: l + 2000, sim: 0.25 }]);
    assert.equal(t.size, 150);
    const file = join(tmpdir(), `tusou-nn-${process.pid}.payload`);
    t.writePayload(file);
    const read = NeighbourTable.read(2, file);
    rmSync(file);
    assert.equal(read.size, 150, 'images still pending are not written as having empty lists');
    assert.deepEqual(labelsOf(read, 300), [1300, 2300]);
    for (let l = 1; l <= 300; l += 2) t.set(l, [{ label: l + 1000, sim: 0.5 }, { label: l + 2000, sim: 0.25 }]);
    assert.equal(t.size, 300);
    for (let l = 1; l <= 300; l += 3) t.remove(l);
    t.sweep();
    assert.equal(t.size, 200);
    for (let l = 1; l <= 300; l++) assert.deepEqual(labelsOf(t, l), l % 3 === 1 ? [] : [l + 1000, l + 2000], String(l));
  });

  test('lists survive a snapshot; a collection without its neighbour payload has every image pending', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tusou-nn-'));
    try {
      const shape = { metric: 'cosine' as const, kind: 'float' as const, dim: 2 };
      const c = Collection.create('flat:dba=2', shape);
      for (const [l, v] of [[1, [1, 0]], [2, [0.9, 0.1]], [3, [0, 1]]] as const) c.add(l, Float32Array.from(v));
      assert.deepEqual([...c.neighbours!.pending], [1, 2, 3]);
      c.neighbours!.set(1, [{ label: 2, sim: 0.75 }, { label: 3, sim: 0.25 }]);
      c.neighbours!.set(2, [{ label: 1, sim: 0.75 }]);
      saveSnapshot(c, dir, 'i', 'test@1');
      const facts = { ...shape, spec: 'flat:dba=2', descriptor: 'test@1' };
      const loaded = loadSnapshot(dir, 'i', facts).collection!;
      assert.deepEqual(loaded.neighbours!.get(1), [{ label: 2, sim: 0.75 }, { label: 3, sim: 0.25 }]);
      assert.deepEqual(labelsOf(loaded.neighbours!, 2), [1]);
      assert.deepEqual([...loaded.neighbours!.pending], [3]);
      const header = JSON.parse(readFileSync(join(dir, 'i.index.json'), 'utf8')) as { payloads: { ann: string } };
      const bare = Collection.read('flat:dba=2', shape, { ann: join(dir, header.payloads.ann) }, 0);
      assert.deepEqual([...bare.neighbours!.pending].sort(), [1, 2, 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
