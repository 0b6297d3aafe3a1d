// The second search stage: verify the global ranking's first candidates with the instance's
// reranker (local features + geometry) and fold the evidence into their scores.

import type { Box, Instance } from '../domain/index.js';
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

/** Local-feature evidence of a verified hit, for a person to see (the console draws it). */
export interface MatchEvidence {
  /** Keypoints consistent with one geometric transform (the RANSAC inliers). */
  inliers: number;
  /** The box around them: the part of the image that matched. */
  box: Box;
  /** Up to 64 of them, evenly spread over the list. */
  points: { x: number; y: number }[];
}

const MATCH_POINTS = 64;

/** A verified hit's inlier keypoints mapped from its feature picture to the image's pixels. */
export function matchEvidence(reranker: Reranker, region: Box, points: Float32Array): MatchEvidence {
  const size = reranker.featureSize(region);
  const sx = (region.x2 - region.x1) / size.width;
  const sy = (region.y2 - region.y1) / size.height;
  const n = points.length / 2;
  const all = Array.from({ length: n }, (_, i) => ({ x: region.x1 + points[2 * i] * sx, y: region.y1 + points[2 * i + 1] * sy }));
  const box = {
    x1: Math.floor(Math.min(...all.map((p) => p.x))), y1: Math.floor(Math.min(...all.map((p) => p.y))),
    x2: Math.ceil(Math.max(...all.map((p) => p.x))), y2: Math.ceil(Math.max(...all.map((p) => p.y))),
  };
  const step = Math.max(1, n / MATCH_POINTS);
  const shown = Array.from({ length: Math.min(n, MATCH_POINTS) }, (_, i) => all[Math.floor(i * step)]).map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }));
  return { inliers: n, box, points: shown };
}
