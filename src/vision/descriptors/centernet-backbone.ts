// The CenterNet detector's MobileNetV3 backbone (COCO-trained) GeM-pooled to 480-d. Best on
// fashion among the shipped models; the detection pass computes it for free.

import type * as TF from '@tensorflow/tfjs';
import { CENTERNET, centerNet } from '../tf/models.js';
import { deepExtractor, gemPool } from './deep.js';

/** `centernet-gem480@1`: 480 floats, L2-normalised, cosine; runs in the vision pool (batch of 1). */
export const centerNetBackbone = deepExtractor({
  id: 'centernet-gem480@1',
  dim: 480,
  // GeM (p=3) beat the average: fashion mAP 0.691 vs 0.661, Caltech 0.261 vs 0.255 (bench/deep-pooling.ts).
  description: 'CenterNet MobileNetV3 backbone (COCO) GeM-pooled (p=3) last map, 512 px, L2',
  inputPx: CENTERNET.inputPx,
  maxBatch: 1,
  async embed() {
    const { tf, model } = await centerNet();
    return { tf, run: (x) => gemPool(tf, model.execute(x, CENTERNET.backbone) as TF.Tensor4D) };
  },
});
