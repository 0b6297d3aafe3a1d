// The query planner's query expansion (index key `qe`): a query is expanded with its nearest
// images' vectors before its final search, so an image that shares what the neighbours share
// overtakes one that is near the query alone. And database-side augmentation (`dba`): every image
// is scored as itself plus its nearest images.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ATTRIBUTES, type Instance } from '../domain/index.js';
import { Collection } from '../index/index.js';
import { SqliteStore } from '../store/index.js';
import { tempDir } from '../../test/support/server.js';
import { linkPending } from './neighbours.js';
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

  const cos = (a: Float32Array, b: Float32Array) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

  test('linking gives every image its k nearest by cosine of the full vectors', async () => {
    const c = collection('hnsw:dba=2');
    assert.equal(c.neighbours!.pending.size, 6);
    assert.equal(await linkPending(store, 'colour-hist-rgb512@1', c), 6);
    assert.equal(c.neighbours!.pending.size, 0);
    for (const [name, v] of Object.entries(vectors)) {
      const byHand = Object.keys(vectors).filter((o) => o !== name).sort((a, b) => cos(v, vectors[b]) - cos(v, vectors[a])).slice(0, 2);
      assert.deepEqual(names(c.neighbours!.get(labels.get(name)!)), byHand, name);
    }
  });

  test('with dba=2 each image is scored as itself plus its neighbours weighted by similarity cubed', async () => {
    const c = collection('flat:dba=2');
    await linkPending(store, 'colour-hist-rgb512@1', c);
    const q = unit(1, 0, 0);
    const byHand = Object.entries(vectors).map(([name, v]) => {
      const a = Float32Array.from(v);
      for (const n of c.neighbours!.get(labels.get(name)!)) {
        const u = vectors[names([n])[0]];
        const w = cos(v, u) ** 3;
        for (let i = 0; i < 3; i++) a[i] += w * u[i];
      }
      return { name, distance: 1 - cos(q, a) / Math.hypot(...a) };
    }).sort((a, b) => a.distance - b.distance);
    const plain = await nearest({ store, collection: collection('flat'), exactMaxCandidates: 1000 }, instance('flat'), q, {}, 6);
    const augmented = await nearest({ store, collection: c, exactMaxCandidates: 1000 }, instance('flat:dba=2'), q, {}, 6);
    assert.deepEqual(names(augmented.hits), byHand.map((h) => h.name));
    augmented.hits.forEach((h, i) => assert.ok(Math.abs(h.distance - byHand[i].distance) < 1e-6));
    // The order changes: the three n pull one another along their shared direction, away from
    // the query's; y, pulled towards them from the other side, comes first.
    assert.deepEqual(names(plain.hits).slice(0, 4), ['n3', 'n1', 'n2', 'y']);
    assert.deepEqual(names(augmented.hits).slice(0, 4), ['y', 'n3', 'n1', 'n2']);
  });

  test('a removed image leaves the lists that named it, and relinking refills them', async () => {
    const c = collection('flat:dba=2');
    await linkPending(store, 'colour-hist-rgb512@1', c);
    const n1 = labels.get('n1')!;
    const owners = Object.keys(vectors).filter((o) => names(c.neighbours!.get(labels.get(o)!)).includes('n1'));
    assert.ok(owners.length > 0);
    c.remove(n1);
    c.neighbours!.sweep();
    assert.deepEqual(names([...c.neighbours!.pending].map((label) => ({ label }))).sort(), owners.sort());
    await linkPending(store, 'colour-hist-rgb512@1', c);
    for (const o of owners) assert.deepEqual(names(c.neighbours!.get(labels.get(o)!)).includes('n1'), false);
    for (const o of owners) assert.equal(c.neighbours!.get(labels.get(o)!).length, 2);
  });
});
