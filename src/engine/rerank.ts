// The second search stage: verify the global ranking's first candidates with the instance's
// reranker (local features + geometry) and fold the evidence into their scores.

import type { Instance } from '../domain/index.js';
import type { Hit } from '../index/index.js';
import type { Reranker, Verdict } from '../vision/index.js';
import type { EngineContext } from './context.js';

export interface ScoredHit extends Hit {
  score: number;
  /** Inlier keypoints of a verified candidate (x,y pairs in its feature picture). */
  matchPoints?: Float32Array;
}

/**
 * Re-rank the first `reranker.depth` hits. A verified candidate's score becomes
 * 1 − (1 − global)(1 − confidence): never lower than its global score, and near 1 when the
 * geometry agrees. Hits past the depth keep their global score and order, so scores still
 * decrease down the list. `cache` keeps verdicts across the calls of one search.
 */
export async function rerank(
  ctx: EngineContext, instance: Instance, reranker: Reranker, query: Uint8Array, hits: readonly ScoredHit[], cache: Map<number, Verdict>,
): Promise<ScoredHit[]> {
  const head = hits.slice(0, reranker.depth);
  const todo = head.map((h, i) => ({ label: h.label, mirror: i < reranker.mirrorDepth })).filter((t) => !cache.has(t.label));
  if (todo.length > 0) {
    const blobs = await ctx.store.getVectors(reranker.id, todo.map((t) => t.label));
    // An image added before the instance had its reranker has no local features: no evidence.
    const withFeatures = todo.flatMap((t) => {
      const blob = blobs.get(t.label);
      if (blob instanceof Uint8Array) return [{ ...t, blob }];
      cache.set(t.label, { confidence: 0 });
      return [];
    });
    const verdicts = await ctx.vision.verify(reranker.id, query, withFeatures);
    withFeatures.forEach((t, i) => cache.set(t.label, verdicts[i]));
  }
  const verified = head
    .map((h, i) => {
      const v = cache.get(h.label);
      const score = 1 - (1 - h.score) * (1 - (v?.confidence ?? 0));
      return { h: v?.points ? { ...h, score, matchPoints: v.points } : { ...h, score }, i };
    })
    .sort((a, b) => b.h.score - a.h.score || a.i - b.i)
    .map((x) => x.h);
  return [...verified, ...hits.slice(reranker.depth)];
}
