// The models tusou ships with, loaded at most once per thread (in practice: once per vision
// worker, on its first task that needs them). Weights come from npm packages, read from disk.

import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { fileArtifacts, loadGraphModel, nsfwjsArtifacts, packageDir, tfReady, type Tf } from './runtime.js';

const loaded = new Map<string, Promise<unknown>>();

function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = loaded.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    // A failed load is retried by the next task instead of failing every later one.
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

/** CenterNet (MobileNetV3 backbone, COCO-80) from `@vladmandic/human`: fixed input 1×512×512×3, values 0–255. */
export const CENTERNET = {
  inputPx: 512,
  detections: 'tower_0/detections',
  // Last backbone map (16×16×480, hard-swish): its average is the 480-d descriptor.
  backbone: 'tower_0/extern1/hard_swish/mul_1',
} as const;

/** The CenterNet graph model of this thread. */
export function centerNet(): Promise<{ tf: Tf; model: TF.GraphModel }> {
  return once('centernet', async () => {
    const tf = await tfReady();
    const model = await loadGraphModel(tf, fileArtifacts(join(packageDir('@vladmandic/human'), 'models', 'centernet.json')));
    return { tf, model };
  });
}

/** nsfwjs MobileNetV2-mid: a TF-Hub MobileNetV2-1.4 (ImageNet, fine-tuned), input N×224×224×3 scaled to 0–1. */
export const MOBILENET_V2_MID = {
  inputPx: 224,
  // Pre-pooling map (7×7×1792) and its global average (1792).
  lastMap: 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2/Conv_1/Relu6',
  pooled: 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze',
} as const;

/** The MobileNetV2-mid graph model of this thread. */
export function mobileNetV2Mid(): Promise<{ tf: Tf; model: TF.GraphModel }> {
  return once('mobilenet_v2_mid', async () => {
    const tf = await tfReady();
    return { tf, model: await loadGraphModel(tf, nsfwjsArtifacts('mobilenet_v2_mid')) };
  });
}
