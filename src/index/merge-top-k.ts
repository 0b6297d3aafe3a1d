// Scatter-gather for partitioned instances: each partition (a node, or a hash shard of one
// instance) answers its own top k; the global top k is the k best of their union.

import type { Hit } from './top-k.js';

/**
 * Merge partial top-k lists (each nearest first, in one metric's distances) into the global k
 * nearest. Exact when every partition returned its own k nearest: the global k nearest are among
 * them. A label in several lists (a replica, or a move between shards mid-query) counts once, at
 * its smallest distance; ties order by label, so the result does not depend on partition order.
 * @example mergeTopK([[{ label: 1, distance: 0.1 }], [{ label: 2, distance: 0.05 }]], 1) // [{ label: 2, distance: 0.05 }]
 */
export function mergeTopK(partials: readonly (readonly Hit[])[], k: number): Hit[] {
  if (!(k >= 1)) return [];
  const best = new Map<number, number>();
  for (const list of partials) {
    for (const h of list) {
      const seen = best.get(h.label);
      if (seen === undefined || h.distance < seen) best.set(h.label, h.distance);
    }
  }
  return [...best].map(([label, distance]) => ({ label, distance }))
    .sort((a, b) => a.distance - b.distance || a.label - b.label)
    .slice(0, Math.floor(k));
}

/** Which of `partitions` hash partitions a key (e.g. `productId`) belongs to: FNV-1a, stable across processes. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
