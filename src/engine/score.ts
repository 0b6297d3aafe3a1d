// The similarity score of a hit: the metric's score (domain/metric.ts), or, for a descriptor that
// declares a calibration (faces), its calibrated decision score where 0.5 is the match threshold.

import { calibratedScore, distanceToScore, type Instance } from '../domain/index.js';
import type { FeatureExtractor } from '../vision/index.js';

/**
 * Score in [0,1] of a distance under an instance's metric. Calibrations are stated on cosine
 * distance, so they apply to cosine and to l2 (on unit vectors l2 = √(2·cosine)); other metrics
 * keep the plain score.
 */
export function similarity(instance: Pick<Instance, 'metric'>, e: Pick<FeatureExtractor, 'dim' | 'calibration'>, distance: number): number {
  if (e.calibration && instance.metric === 'cosine') return calibratedScore(distance, e.calibration);
  if (e.calibration && instance.metric === 'l2') return calibratedScore((distance * distance) / 2, e.calibration);
  return distanceToScore(instance.metric, distance, e.dim);
}
