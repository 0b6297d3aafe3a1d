// Metrics: which vector kinds each applies to, and the one place where a distance becomes a
// score in [0,1] (1 = identical). Distances are "lower is closer" in metric units.

import { TusouError } from './errors.js';
import { METRICS, type Metric } from './types.js';

/** Vector kinds: float vectors (L2-normalised by every tusou descriptor) or packed binary codes. */
export type VectorKind = 'float' | 'binary';

/** Metrics that apply to each vector kind. */
export const METRICS_FOR_KIND: Record<VectorKind, readonly Metric[]> = {
  float: ['cosine', 'l2', 'l1', 'jaccard'],
  binary: ['hamming', 'jaccard'],
};

/** Check `metric` is a metric name valid for `kind`. @throws METRIC_INVALID */
export function validateMetric(metric: unknown, kind: VectorKind): Metric {
  const allowed = METRICS_FOR_KIND[kind];
  if (typeof metric !== 'string' || !(allowed as readonly string[]).includes(metric)) {
    throw new TusouError('METRIC_INVALID', {
      metric: String(metric),
      allowed: `${allowed.join(', ')} (for ${kind} vectors; all metrics: ${METRICS.join(', ')})`,
    });
  }
  return metric as Metric;
}

/**
 * Map a distance to a similarity score in [0,1], 1 meaning identical; monotone decreasing.
 * - cosine: d = 1 − cos, score = max(0, cos)
 * - l2: on unit vectors cos = 1 − d²/2, so the score equals the cosine one
 * - l1: 1 / (1 + d)
 * - hamming: 1 − d / bits (`dim` = number of bits)
 * - jaccard: 1 − d (d is the Jaccard distance in [0,1])
 */
export function distanceToScore(metric: Metric, distance: number, dim: number): number {
  let s: number;
  switch (metric) {
    case 'cosine': s = 1 - distance; break;
    case 'l2': s = 1 - (distance * distance) / 2; break;
    case 'l1': s = 1 / (1 + distance); break;
    case 'hamming': s = 1 - distance / dim; break;
    case 'jaccard': s = 1 - distance; break;
  }
  if (!(s > 0)) return 0;
  return s > 1 ? 1 : s;
}

/**
 * A descriptor's calibration of cosine similarity into a decision score: `threshold` is the
 * cosine distance (1 − cos) at which "same" and "different" are equally likely (score 0.5).
 */
export interface ScoreCalibration {
  threshold: number;
  /** How sharply the score falls around the threshold (log-logistic exponent, ≥ 1). */
  steepness: number;
}

/**
 * Calibrated score of a cosine distance: 1 / (1 + (d / threshold)^steepness). It is 1 for
 * identical vectors, 0.5 at the threshold, monotone decreasing, so `score ≥ 0.5` is the
 * descriptor's match decision (docs/faces.md).
 */
export function calibratedScore(cosineDistance: number, c: ScoreCalibration): number {
  if (!(cosineDistance > 0)) return 1;
  return 1 / (1 + (cosineDistance / c.threshold) ** c.steepness);
}
