// Database-side augmentation (DBA, Radenović et al.): the engine side of the neighbour table
// (index/neighbour-table.ts). Linking finds an image's nearest images with the collection's own
// shortlist re-scored on the full vectors; augmenting builds the vectors a search scores.

import type { Vector } from '../domain/index.js';
import { TopK, kernelFor, type Collection } from '../index/index.js';
import type { Store } from '../store/index.js';
import { l2normalise } from '../vision/index.js';

/**
 * How many of a newly linked image's nearest images are offered it as a neighbour. Wider than the
 * list itself, since "b is among a's nearest" does not make "a among b's"; measured in the lab
 * (bench/lab/augment.ts): images added one by one end up with lists as good as a batch build's.
 */
const OFFER = 10;
const BATCH = 256;

const cosineDistance = kernelFor('cosine', 'float');

/**
 * Give every pending image of an augmented collection its neighbour list: its `k` nearest by
 * cosine of the full vectors (from a shortlist of the collection), and offer it to the `OFFER`
 * nearest of those, which adopt it when it is nearer than their k-th. Returns how many were linked.
 */
export async function linkPending(store: Store, descriptor: string, c: Collection): Promise<number> {
  const table = c.neighbours;
  if (!table) return 0;
  table.sweep();
  let linked = 0;
  while (table.pending.size > 0) {
    const batch: number[] = [];
    for (const label of table.pending) if (batch.push(label) === BATCH) break;
    const own = await store.getVectors(descriptor, batch);
    for (const label of batch) {
      const v = own.get(label);
      if (!v || !c.has(label)) {
        // Gone from the store (the follower removes it next) or from the collection.
        table.remove(label);
        continue;
      }
      const short = c.shortlist(c.toIndexSpace(v), Math.max(OFFER + 1, c.rerank), undefined, 0).hits.filter((h) => h.label !== label);
      const full = await store.getVectors(descriptor, short.map((h) => h.label));
      const top = new TopK(OFFER);
      for (const [l, u] of full) if (c.has(l)) top.push(l, cosineDistance(v, u));
      const nearest = top.sorted().map((h) => ({ label: h.label, sim: 1 - h.distance }));
      table.set(label, nearest);
      for (const n of nearest) table.offer(n.label, label, n.sim);
      linked++;
    }
  }
  return linked;
}

/** What one search has read from the store and built so far (its passes overlap). */
export interface VectorCache {
  stored: Map<number, Vector>;
  scored: Map<number, Vector>;
}

export const newVectorCache = (): VectorCache => ({ stored: new Map(), scored: new Map() });

/**
 * The vectors a search scores for `labels`: with augmentation, each image's vector plus its
 * neighbours' weighted by similarity³, L2-normalised (a neighbour the store no longer has is left
 * out); else the stored vectors. Only what `cache` lacks is read or built.
 */
export async function scoredVectors(store: Store, descriptor: string, c: Collection, labels: readonly number[], cache = newVectorCache()): Promise<Map<number, Vector>> {
  const table = c.neighbours;
  const out = new Map<number, Vector>();
  const todo = labels.filter((l) => {
    const known = cache.scored.get(l);
    if (known) out.set(l, known);
    return !known;
  });
  const wanted = new Set(todo);
  if (table) for (const l of todo) for (const n of table.get(l)) wanted.add(n.label);
  const missing = [...wanted].filter((l) => !cache.stored.has(l));
  if (missing.length > 0) for (const [l, v] of await store.getVectors(descriptor, missing)) cache.stored.set(l, v);
  for (const l of todo) {
    const v = cache.stored.get(l);
    if (!v) continue;
    const list = table?.get(l) ?? [];
    let scored = v;
    if (list.length > 0) {
      const a = Float32Array.from(v);
      for (const n of list) {
        const u = cache.stored.get(n.label);
        if (!u) continue;
        const w = Math.max(0, n.sim) ** 3;
        for (let i = 0; i < a.length; i++) a[i] += w * u[i];
      }
      scored = l2normalise(a);
    }
    cache.scored.set(l, scored);
    out.set(l, scored);
  }
  return out;
}
