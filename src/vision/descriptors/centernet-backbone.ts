// The CenterNet detector's MobileNetV3 backbone (COCO-trained) pooled to 480-d. Best on fashion
// among the shipped models (mAP 0.66, DESIGN §3); the detection pass computes it for free.

import type * as TF from '@tensorflow/tfjs';
import { CENTERNET, centerNet } from '../tf/models.js';
import { deepExtractor } from './deep.js';

export const centerNetBackbone = deepExtractor({
  id: 'centernet-gap480@1',
  dim: 480,
  description: 'CenterNet MobileNetV3 backbone (COCO) global average of the last map, 512 px, L2',
  inputPx: CENTERNET.inputPx,
  maxBatch: 1,
  async embed() {
    const { tf, model } = await centerNet();
    return { tf, run: (x) => tf.mean(model.execute(x, CENTERNET.backbone) as TF.Tensor4D, [1, 2]) as TF.Tensor2D };
  },
});
