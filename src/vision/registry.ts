// The descriptors tusou knows, by id. A new descriptor is a new file plus one line here.
// User-provided models (CLIP-style ONNX) join at run time through an ExtractorSource.

import { TusouError } from '../domain/index.js';
import { centerNetBackbone } from './descriptors/centernet-backbone.js';
import { classicFused } from './descriptors/classic-fused.js';
import { colourHistogram } from './descriptors/colour-histogram.js';
import { deepColourFusion } from './descriptors/deep-colour-fusion.js';
import { deepConcat } from './descriptors/deep-concat.js';
import { mobileNetV2Mid } from './descriptors/mobilenet-v2-mid.js';
import { faceApiRecognition } from './descriptors/face-api-recognition.js';
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
  deepConcat,
  faceApiRecognition,
  hsvSpatial,
  lbpPyramid,
  hogPyramid,
  classicFused,
];

/** Descriptors that appear at run time (registered user models); `find` may look again on a miss. */
export interface ExtractorSource {
  list(): readonly FeatureExtractor[];
  find(id: string): FeatureExtractor | undefined;
}

const sources = new Set<ExtractorSource>();

/** Make a source's descriptors known in this thread (until `remove` is called). */
export function addExtractorSource(source: ExtractorSource): { remove(): void } {
  sources.add(source);
  return { remove: () => sources.delete(source) };
}

/** Every registered descriptor. */
export function listExtractors(): readonly FeatureExtractor[] {
  return [...EXTRACTORS, ...[...sources].flatMap((s) => s.list())];
}

function find(id: string): FeatureExtractor | undefined {
  const e = EXTRACTORS.find((x) => x.id === id);
  if (e) return e;
  for (const s of sources) {
    const found = s.find(id);
    if (found) return found;
  }
  return undefined;
}

/** True when a descriptor with this id is registered. */
export function hasExtractor(id: string): boolean {
  return find(id) !== undefined;
}

/** The registered descriptor with the same name as `id` and another version, if one exists. */
export function successorOf(id: string): string | undefined {
  const name = id.split('@')[0];
  return listExtractors().find((x) => x.id.split('@')[0] === name && x.id !== id)?.id;
}

/** The descriptor with this id. @throws DESCRIPTOR_UNKNOWN */
export function getExtractor(id: string): FeatureExtractor {
  const e = find(id);
  if (!e) throw new TusouError('DESCRIPTOR_UNKNOWN', { descriptor: id, known: listExtractors().map((x) => x.id).join(', ') });
  return e;
}
