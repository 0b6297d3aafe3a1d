// Worker side of subject detection: one CenterNet pass over the whole picture at 512×512 gives
// the COCO detections and, from the same pass, the backbone's pooled 480-d descriptor.
// (The backbone descriptor must stay computed exactly as `centernet-gem480@1` does.)

import type * as TF from '@tensorflow/tfjs';
import type { Pixels } from '../feature-extractor.js';
import { gemPool } from '../descriptors/deep.js';
import { CENTERNET, centerNet } from '../tf/models.js';
import type { RawDetection } from './regions.js';

/** What a detection pass returns (coordinates in the 512×512 input). */
export interface DetectOutput {
  detections: RawDetection[];
  /** The CenterNet backbone descriptor of the whole picture, L2-normalised (`centernet-gem480@1`). */
  backbone: Float32Array;
}

// Detections below this never reach selection; it only keeps the message small.
const FLOOR = 0.2;

/** Run CenterNet on a 512×512 RGB picture. */
export async function detectObjects(pixels: Pixels): Promise<DetectOutput> {
  const S = CENTERNET.inputPx;
  if (pixels.width !== S || pixels.height !== S || pixels.channels !== 3) {
    throw new Error(`detection needs ${S}x${S}x3 pixels; got ${pixels.width}x${pixels.height}x${pixels.channels}`);
  }
  const { tf, model } = await centerNet();
  const [det, pooled] = tf.tidy(() => {
    const x = tf.tensor4d(pixels.data, [1, S, S, 3], 'int32').toFloat();
    const [d, map] = model.execute(x, [CENTERNET.detections, CENTERNET.backbone]) as [TF.Tensor3D, TF.Tensor4D];
    const g = gemPool(tf, map);
    return [d, tf.div(g, tf.maximum(tf.norm(g), 1e-12))];
  });
  const [rows, vec] = await Promise.all([det.data(), pooled.data()]);
  tf.dispose([det, pooled]);
  const detections: RawDetection[] = [];
  // Rows are x1, y1, x2, y2 (input px), score, class index; sorted by score.
  for (let i = 0; i + 6 <= rows.length; i += 6) {
    if (rows[i + 4] < FLOOR) continue;
    detections.push({ x1: rows[i], y1: rows[i + 1], x2: rows[i + 2], y2: rows[i + 3], score: rows[i + 4], classIndex: rows[i + 5] });
  }
  return { detections, backbone: Float32Array.from(vec) };
}
