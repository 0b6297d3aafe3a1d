// The rerankers tusou knows, by id. A new one is a new factory call plus one line here.

import { TusouError } from '../../domain/index.js';
import { orbReranker, type Reranker } from './reranker.js';

const RERANKERS: readonly Reranker[] = [
  // 500 keypoints on pictures of 256–512 px: ~45 ms to describe, ~5–7 ms per verified pair (docs/quality.md).
  orbReranker({ id: 'orb-ransac@1', sizePx: 512, minPx: 256, maxKeypoints: 500, fastThreshold: 20, depth: 32, mirrorDepth: 8 }),
  // The same features, a quarter of the verifications and no mirror pass (the global descriptors
  // already rank mirrored copies first): the original of 99.6 % of the copies is in the global
  // ranking's first 8 (docs/quality.md).
  orbReranker({ id: 'orb-ransac-top8@1', sizePx: 512, minPx: 256, maxKeypoints: 500, fastThreshold: 20, depth: 8, mirrorDepth: 0 }),
];

/** Every registered reranker. */
export function listRerankers(): readonly Reranker[] {
  return RERANKERS;
}

/** The reranker with this id. @throws DESCRIPTOR_UNKNOWN (its local features are a descriptor) */
export function getReranker(id: string): Reranker {
  const r = RERANKERS.find((x) => x.id === id);
  if (!r) throw new TusouError('DESCRIPTOR_UNKNOWN', { descriptor: id, known: RERANKERS.map((x) => x.id).join(', ') });
  return r;
}
