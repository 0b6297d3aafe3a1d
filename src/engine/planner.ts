// The query planner: per query, pick the index's own search, a filtered graph search or an exact
// scan over the candidates the attribute table selects — so a selective filter never loses
// recall (DESIGN §3) — then, when the collection projects, re-rank the shortlist with the full
// vectors from the store so the final order and distances are the descriptor's own. With
// pgvector the store can run a filtered k-NN itself (exact, or HNSW once its index exists) on
// the full vectors. An index with query expansion (`qe`) searches twice: the query, then the
// query plus its nearest images' vectors. An index with database-side augmentation (`dba`)
// re-ranks a shortlist (from any of those paths) with each image's augmented vector
// (neighbours.ts), and expands queries with those vectors.

import type { Instance, Vector } from '../domain/index.js';
import { TopK, kernelFor, type Collection, type Hit, type ShortlistPath } from '../index/index.js';
import type { ImageSelection, Store, StoreVectorSearch } from '../store/index.js';
import { getExtractor, l2normalise } from '../vision/index.js';
import { newVectorCache, scoredVectors, type VectorCache } from './neighbours.js';

export interface PlannerParts {
  store: Store;
  collection: Collection;
  /** Filtered searches with at most this many candidates scan them exactly. */
  exactMaxCandidates: number;
  /** k-NN inside the store (pgvector) for this instance's metric, when available. */
  storeSearch?: StoreVectorSearch;
  /** True when the store's own ANN index of this descriptor exists (broad filters then stay in SQL too). */
  storeAnn?: boolean;
}

export interface Nearest {
  hits: Hit[];
  /** Images the selection holds. */
  candidates: number;
  path: ShortlistPath | 'store-exact' | 'store-ann';
}

/**
 * The k nearest images to a descriptor vector within a selection (filter and category), nearest
 * first, with distances in the descriptor's metric (to the expanded query when the index expands).
 */
export async function nearest(parts: PlannerParts, instance: Instance, vector: Vector, selection: ImageSelection, k: number): Promise<Nearest> {
  const { qe } = parts.collection;
  const cache = newVectorCache();
  if (qe === 0) return nearestOnce(parts, instance, vector, selection, k, cache);
  const first = await nearestOnce(parts, instance, vector, selection, qe, cache);
  const expanded = await expandQuery(parts, instance.descriptor, vector, first.hits, cache);
  // The second pass's shortlist mostly repeats the first's: their vectors are not read again.
  return nearestOnce(parts, instance, expanded, selection, k, cache);
}

/**
 * αQE (Radenović et al.): the query plus its neighbours' vectors weighted by (cosine similarity)³,
 * L2-normalised. Neighbours that agree with each other pull the query towards what they share.
 */
async function expandQuery(parts: PlannerParts, descriptor: string, vector: Vector, hits: readonly Hit[], cache: VectorCache): Promise<Vector> {
  const vectors = await scoredVectors(parts.store, descriptor, parts.collection, hits.map((h) => h.label), cache);
  const e = Float32Array.from(vector);
  for (const h of hits) {
    const v = vectors.get(h.label);
    if (!v) continue;
    const w = Math.max(0, 1 - h.distance) ** 3;
    for (let i = 0; i < e.length; i++) e[i] += w * v[i];
  }
  return l2normalise(e);
}

/** One search; what it reads from the store goes through `cache`. */
async function nearestOnce(parts: PlannerParts, instance: Instance, vector: Vector, selection: ImageSelection, k: number, cache: VectorCache): Promise<Nearest> {
  const { collection: c } = parts;
  const restricted = selection.filter !== undefined || selection.categoryId !== undefined;
  const candidates = restricted ? c.attrs.select(selection.filter, selection.categoryId) : undefined;
  const count = candidates?.length ?? c.size;
  if (count === 0) return { hits: [], candidates: 0, path: 'exact' };
  // A projected or augmented index re-ranks a shortlist; deep pages re-rank a proportionally
  // deeper one, since the shortlist's order is only roughly the final one.
  const rescore = c.projection !== undefined || c.neighbours !== undefined;
  const depth = rescore ? Math.max(4 * k, c.rerank) : k;
  let short: Nearest;
  if (candidates && parts.storeSearch && (count <= parts.exactMaxCandidates || parts.storeAnn)) {
    const e = getExtractor(instance.descriptor);
    const mode = count <= parts.exactMaxCandidates ? 'exact' : 'ann';
    const q = { instance: instance.name, descriptor: instance.descriptor, metric: instance.metric, kind: e.kind, dim: e.dim, vector, selection, k: c.neighbours ? depth : k, mode } as const;
    short = { hits: (await parts.storeSearch.nearest(q)).hits, candidates: count, path: mode === 'exact' ? 'store-exact' : 'store-ann' };
    // The store ranks full vectors: only augmentation has anything to re-rank.
    if (!c.neighbours) return short;
  } else {
    const { hits, path } = c.shortlist(c.toIndexSpace(vector), depth, candidates, parts.exactMaxCandidates);
    short = { hits, candidates: count, path };
    if (!rescore) return short;
  }
  const kernel = kernelFor(instance.metric, getExtractor(instance.descriptor).kind);
  const full = await scoredVectors(parts.store, instance.descriptor, c, short.hits.map((h) => h.label), cache);
  const top = new TopK(k);
  for (const [label, v] of full) top.push(label, kernel(vector, v));
  return { ...short, hits: top.sorted() };
}
