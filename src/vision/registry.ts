// The descriptors tusou knows, by id. A new descriptor is a new file plus one line here.

import { TusouError } from '../domain/index.js';
import { colourHistogram } from './descriptors/colour-histogram.js';
import { dHash, pHash } from './descriptors/perceptual-hash.js';
import { hogPyramid } from './descriptors/hog-pyramid.js';
import { hsvSpatial } from './descriptors/hsv-spatial.js';
import { lbpPyramid } from './descriptors/lbp-pyramid.js';
import type { FeatureExtractor } from './feature-extractor.js';

const EXTRACTORS: readonly FeatureExtractor[] = [
  colourHistogram,
  pHash,
  dHash,
  hsvSpatial,
  lbpPyramid,
  hogPyramid,
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
