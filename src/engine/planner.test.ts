// The query planner's query expansion (index key `qe`): a query is expanded with its nearest
// images' vectors before its final search, so an image that shares what the neighbours share
// overtakes one that is near the query alone.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ATTRIBUTES, type Instance } from '../domain/index.js';
import { Collection } from '../index/index.js';
import { SqliteStore } from '../store/index.js';
import { tempDir } from '../../test/support/server.js';
import { nearest } from './planner.js';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};

describe('query expansion in the planner', () => {
  let dir: string;
  let store: SqliteStore;
  const labels = new Map<string, number>();
  // Three neighbours agree on a direction; y is near the query alone, z shares the neighbours' direction.
  const vectors: Record<string, Float32Array> = {
    n1: unit(1, 0.5, 0), n2: unit(1, 0.52, 0), n3: unit(1, 0.48, 0),
    y: unit(1, 0, 0.55), z: unit(1, 0.9, 0), far: unit(0, 0, 1),
  };
  const instance = (index: string): Instance => ({ name: 'q', serviceType: 'product', capacity: 100, descriptor: 'colour-hist-rgb512@1', metric: 'cosine', index, createdAt: 1 });
  const collection = (spec: string) => {
    const c = Collection.create(spec, { metric: 'cosine', kind: 'float', dim: 3 });
    for (const [name, v] of Object.entries(vectors)) c.add(labels.get(name)!, v);
    return c;
  };
  const names = (hits: readonly { label: number }[]) => hits.map((h) => [...labels].find(([, l]) => l === h.label)![0]);

  before(async () => {
    dir = await tempDir();
    store = new SqliteStore(join(dir, 'tusou.db'));
    await store.createInstance(instance('flat'));
    for (const [name, v] of Object.entries(vectors)) {
      const put = await store.putImage('q', {
        productId: name, picName: 'a', ...DEFAULT_ATTRIBUTES, categoryId: 0, region: { x1: 0, y1: 0, x2: 1, y2: 1 }, regions: [],
        width: 1, height: 1, format: 'png', sha256: 'a'.repeat(64), bytes: 1, createdAt: 1, updatedAt: 1,
      }, { 'colour-hist-rgb512@1': v }, 100);
      labels.set(name, put.label);
    }
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('without expansion the query ranks by its own similarity; with qe=3 the neighbours pull z above y', async () => {
    const q = unit(1, 0, 0);
    const plain = await nearest({ store, collection: collection('flat'), exactMaxCandidates: 1000 }, instance('flat'), q, {}, 5);
    assert.deepEqual(names(plain.hits), ['n3', 'n1', 'n2', 'y', 'z']);
    const expanded = await nearest({ store, collection: collection('flat:qe=3'), exactMaxCandidates: 1000 }, instance('flat:qe=3'), q, {}, 5);
    assert.deepEqual(names(expanded.hits).slice(3), ['z', 'y']);
  });

  test('the expanded query is the query plus each neighbour weighted by similarity cubed, and distances are to it', async () => {
    const q = unit(1, 0, 0);
    const e = Float32Array.from(q);
    for (const n of ['n1', 'n2', 'n3']) {
      const v = vectors[n];
      const w = (q[0] * v[0] + q[1] * v[1] + q[2] * v[2]) ** 3;
      for (let i = 0; i < 3; i++) e[i] += w * v[i];
    }
    const byHand = await nearest({ store, collection: collection('flat'), exactMaxCandidates: 1000 }, instance('flat'), e, {}, 6);
    const expanded = await nearest({ store, collection: collection('flat:qe=3'), exactMaxCandidates: 1000 }, instance('flat:qe=3'), q, {}, 6);
    assert.deepEqual(expanded.hits.map((h) => h.label), byHand.hits.map((h) => h.label));
    expanded.hits.forEach((h, i) => assert.ok(Math.abs(h.distance - byHand.hits[i].distance) < 1e-6));
  });
});
