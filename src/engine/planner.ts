// The query planner: per query, the index's own filtered search or an exact scan over the
// candidates the store selects, so a selective filter never loses recall (DESIGN §3). With
// pgvector the store runs the filtered k-NN itself (exact, or HNSW with iterative scans once its
// index exists), so no candidate's vector crosses the network.

import type { Instance, Vector } from '../domain/index.js';
import { TopK, kernelFor, type Hit, type VectorIndex } from '../index/index.js';
import type { ImageSelection, Store, StoreVectorSearch } from '../store/index.js';
import { getExtractor } from '../vision/index.js';

export interface PlannerParts {
  store: Store;
  index: VectorIndex;
  /** Filtered searches with at most this many candidates scan them exactly. */
  exactMaxCandidates: number;
  /** k-NN inside the store (pgvector) for this instance's metric, when available. */
  storeSearch?: StoreVectorSearch;
  /** True when the store's own ANN index of this descriptor exists (broad filters then stay in SQL too). */
  storeAnn?: boolean;
}

const restricted = (s: ImageSelection) => s.filter !== undefined || s.categoryId !== undefined || s.productId !== undefined;

/**
 * The k nearest images to `vector` within a selection, nearest first, and how many candidates
 * the selection holds.
 */
export async function nearest(parts: PlannerParts, instance: Instance, vector: Vector, selection: ImageSelection, k: number): Promise<{ hits: Hit[]; candidates: number; path: 'index' | 'exact' | 'filtered-index' | 'store-exact' | 'store-ann' }> {
  const { store, index } = parts;
  if (!restricted(selection)) return { hits: index.search(vector, k), candidates: index.size, path: 'index' };
  if (parts.storeSearch) {
    const candidates = await store.countImages(instance.name, selection);
    if (candidates === 0) return { hits: [], candidates: 0, path: 'store-exact' };
    const e = getExtractor(instance.descriptor);
    const q = { instance: instance.name, descriptor: instance.descriptor, metric: instance.metric, kind: e.kind, dim: e.dim, vector, selection, k };
    if (candidates <= parts.exactMaxCandidates || index.spec === 'flat') {
      return { hits: (await parts.storeSearch.nearest({ ...q, mode: 'exact' })).hits, candidates, path: 'store-exact' };
    }
    if (parts.storeAnn) return { hits: (await parts.storeSearch.nearest({ ...q, mode: 'ann' })).hits, candidates, path: 'store-ann' };
  }
  const labels = await store.selectLabels(instance.name, selection);
  if (labels.length === 0) return { hits: [], candidates: 0, path: 'exact' };
  if (index.spec !== 'flat' && labels.length <= parts.exactMaxCandidates) {
    // Few candidates: an exact scan over their stored vectors is both exact and cheap.
    const kernel = kernelFor(instance.metric, getExtractor(instance.descriptor).kind);
    const top = new TopK(k);
    for (const [label, v] of await store.getVectors(instance.descriptor, labels)) top.push(label, kernel(vector, v));
    return { hits: top.sorted(), candidates: labels.length, path: 'exact' };
  }
  const allowed = new Set(labels);
  return { hits: index.search(vector, k, (l) => allowed.has(l)), candidates: labels.length, path: 'filtered-index' };
}
