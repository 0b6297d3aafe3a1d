// The descriptors tusou knows, by id. A new descriptor is a new file plus one line here.

import { TusouError } from '../domain/index.js';
import { centerNetBackbone } from './descriptors/centernet-backbone.js';
import { classicFused } from './descriptors/classic-fused.js';
import { colourHistogram } from './descriptors/colour-histogram.js';
import { deepColourFusion } from './descriptors/deep-colour-fusion.js';
import { mobileNetV2Mid } from './descriptors/mobilenet-v2-mid.js';
import { dHash, pHash } from './descriptors/perceptual-hash.js';
import { hogPyramid } from './descriptors/hog-pyramid.js';
import { hsvSpatial } from './descriptors/hsv-spatial.js';
import { lbpPyramid } from './descriptors/lbp-pyramid.js';
import type { FeatureExtractor } from './feature-extractor.js';

const EXTRACTORS: readonly FeatureExtractor[] = [
  colourHistogram,
  pHash,
  dHash,
  mobileNetV2Mid,
  centerNetBackbone,
  deepColourFusion,
  hsvSpatial,
  lbpPyramid,
  hogPyramid,
  classicFused,
];

/** Every registered descriptor. */
export function listExtractors(): readonly FeatureExtractor[] {
  return EXTRACTORS;
}

/** True when a descriptor with this id is registered. */
export function hasExtractor(id: string): boolean {
  return EXTRACTORS.some((x) => x.id === id);
}

/** The registered descriptor with the same name as `id` and another version, if one exists. */
export function successorOf(id: string): string | undefined {
  const name = id.split('@')[0];
  return EXTRACTORS.find((x) => x.id.split('@')[0] === name && x.id !== id)?.id;
}

/** The descriptor with this id. @throws DESCRIPTOR_UNKNOWN */
export function getExtractor(id: string): FeatureExtractor {
  const e = EXTRACTORS.find((x) => x.id === id);
  if (!e) throw new TusouError('DESCRIPTOR_UNKNOWN', { descriptor: id, known: EXTRACTORS.map((x) => x.id).join(', ') });
  return e;
}
