// MobileNetV2-1.4 (nsfwjs's MobileNetV2-mid, TF-Hub, ImageNet then fine-tuned) pooled to 1792-d:
// the best single descriptor among the shipped models (Caltech mAP 0.32, DESIGN §3).

import { MOBILENET_V2_MID, mobileNetV2Mid as loadModel } from '../tf/models.js';
import { deepExtractor } from './deep.js';
import type * as TF from '@tensorflow/tfjs';

/**
 * `mnv2mid-gap1792@1`: 1792 floats, L2-normalised, cosine; runs in the vision pool.
 * @example getExtractor('mnv2mid-gap1792@1').dim // 1792
 */
export const mobileNetV2Mid = deepExtractor({
  id: 'mnv2mid-gap1792@1',
  dim: 1792,
  description: 'MobileNetV2-1.4 (nsfwjs MobileNetV2-mid) global average of the last map, 224 px, L2',
  inputPx: MOBILENET_V2_MID.inputPx,
  maxBatch: 8,
  async embed() {
    const { tf, model } = await loadModel();
    // The hub model expects 0–1 input (its own convention, not Keras' −1..1).
    return { tf, run: (x) => model.execute(tf.div(x, 255), MOBILENET_V2_MID.pooled) as TF.Tensor2D };
  },
});
