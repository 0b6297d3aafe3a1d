// MobileNetV2-mid ⊕ 0.5 · colour histogram in one vector: under cosine the colour histogram then
// weighs 0.2 of the score. Best of the measured single vectors on grocery, UKBench and copies
// (DESIGN §3), at some cost in category mAP; offered for the fused-default benchmark.

import type { Vector } from '../../domain/index.js';
import type { Pixels } from '../feature-extractor.js';
import { colourHistogram } from './colour-histogram.js';
import { pooledExtractor } from './deep.js';
import { mobileNetV2Mid } from './mobilenet-v2-mid.js';
import { weightedConcat } from './vector-ops.js';

const COLOUR_WEIGHT = 0.5;

async function extractBatch(batch: readonly Pixels[]): Promise<Vector[]> {
  const deep = await mobileNetV2Mid.extractBatch!(batch);
  // The histogram is taken on the CNN's 224 px input: the same bins, more samples than its own 64 px.
  return Promise.all(deep.map(async (d, i) => weightedConcat([[d, 1], [await colourHistogram.extract(batch[i]), COLOUR_WEIGHT]])));
}

/** `mnv2mid-colour2304@1`: 2304 floats, L2-normalised, cosine; runs in the vision pool. */
export const deepColourFusion = pooledExtractor({
  id: 'mnv2mid-colour2304@1',
  dim: mobileNetV2Mid.dim + colourHistogram.dim,
  input: mobileNetV2Mid.input,
  description: 'MobileNetV2-mid (1792) concatenated with 0.5 x RGB colour histogram (512), L2',
  extractBatch,
});
