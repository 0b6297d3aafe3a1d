// The descriptors tusou knows, by id. A new descriptor is a new file plus one line here.

import { TusouError } from '../domain/index.js';
import { centerNetBackbone } from './descriptors/centernet-backbone.js';
import { colourHistogram } from './descriptors/colour-histogram.js';
import { deepColourFusion } from './descriptors/deep-colour-fusion.js';
import { mobileNetV2Mid } from './descriptors/mobilenet-v2-mid.js';
import { dHash, pHash } from './descriptors/perceptual-hash.js';
import type { FeatureExtractor } from './feature-extractor.js';

const EXTRACTORS: readonly FeatureExtractor[] = [
  colourHistogram,
  pHash,
  dHash,
  mobileNetV2Mid,
  centerNetBackbone,
  deepColourFusion,
];

/** Every registered descriptor. */
export function listExtractors(): readonly FeatureExtractor[] {
  return EXTRACTORS;
}

/** The descriptor with this id. @throws DESCRIPTOR_UNKNOWN */
export function getExtractor(id: string): FeatureExtractor {
  const e = EXTRACTORS.find((x) => x.id === id);
  if (!e) throw new TusouError('DESCRIPTOR_UNKNOWN', { descriptor: id, known: EXTRACTORS.map((x) => x.id).join(', ') });
  return e;
}
