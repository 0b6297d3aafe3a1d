// Where instance-level match geometry (local-feature verification) is read from a search hit.
// The REST schema has no such field yet; when the engine adds one, this is the only place that
// maps it, and MatchOverlay draws whatever this returns on the result picture.

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

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBox = (v: unknown): v is Box => {
  const b = v as Partial<Box> | null;
  return Boolean(b) && isNum(b!.x1) && isNum(b!.y1) && isNum(b!.x2) && isNum(b!.y2);
};
const isPoint = (v: unknown): v is Point => {
  const p = v as Partial<Point> | null;
  return Boolean(p) && isNum(p!.x) && isNum(p!.y);
};

/**
 * The match geometry carried by a hit, if any. Accepts `hit.match = { box?, points?, inliers?,
 * pairs?: [{ query: Point, image: Point }] }`; anything else is ignored.
 */
export function matchGeometryOf(hit: Hit): MatchGeometry | undefined {
  const m = (hit as unknown as { match?: unknown }).match as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object') return undefined;
  const points: Point[] = [];
  if (Array.isArray(m.points)) points.push(...m.points.filter(isPoint));
  if (Array.isArray(m.pairs)) {
    for (const pair of m.pairs as { image?: unknown }[]) if (isPoint(pair?.image)) points.push(pair.image);
  }
  const geometry: MatchGeometry = { points, box: isBox(m.box) ? m.box : undefined, inliers: isNum(m.inliers) ? m.inliers : undefined };
  return geometry.box || points.length || geometry.inliers !== undefined ? geometry : undefined;
}
