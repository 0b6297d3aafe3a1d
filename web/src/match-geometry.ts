// Where match geometry is read from a search hit, for MatchOverlay to draw on the result picture:
// on instances with a reranker, `match` (the local-feature inliers and their box); on face
// instances, `matchedRegion` (the face that matched).

import type { Box, Hit } from './api/client';

export interface Point {
  x: number;
  y: number;
}

/** What can be drawn on a result picture, in that picture's own pixel coordinates. */
export interface MatchGeometry {
  /** The part of the result picture that matched the query region. */
  box?: Box;
  /** Matched keypoints on the result picture (their partners are on the query). */
  points: Point[];
  /** Geometrically verified correspondences, when the verifier reports a count. */
  inliers?: number;
}

/** The match geometry carried by a hit, if any. */
export function matchGeometryOf(hit: Hit): MatchGeometry | undefined {
  if (hit.match) return { box: hit.match.box, points: hit.match.points, inliers: hit.match.inliers };
  if (hit.matchedRegion) return { box: hit.matchedRegion, points: [] };
  return undefined;
}
