// The Reranker contract and its ORB + RANSAC implementation: local features stored per image
// (keyed by the reranker's id), verified against a query's to re-rank the global short list.

import type { Box } from '../../domain/index.js';
import { toRaw, type DecodedImage } from '../../imaging/index.js';
import type { Pixels } from '../feature-extractor.js';
import {
  deserialiseLocalFeatureSets, deserialiseLocalFeatures, extractOrb, serialiseLocalFeatureSets, type OrbOptions,
} from './local-features.js';
import { verifyGeometry, VERIFY_DEFAULTS, type Verification } from './verify-geometry.js';

/** What a verification found, and how sure it is that both pictures show the same thing. */
export interface RerankEvidence {
  matches: number;
  inliers: number;
  /** 0 (no evidence) … 1 (certain); a monotone function of the inliers. */
  confidence: number;
  /** The inliers' keypoints on the candidate (x,y pairs in its feature picture, see `featureSize`). */
  points?: Float32Array;
}

/**
 * A second-stage verifier. `describe` returns the local features as one blob: a database picture
 * gets one feature set; a query also gets the set of its mirror image, so flipped copies verify.
 */
export interface Reranker {
  /** Name and version, e.g. `orb-ransac@1`; also the key of the stored blobs. */
  readonly id: string;
  readonly description: string;
  /** How many of the global ranking's first candidates are verified. */
  readonly depth: number;
  /** How many of those are also matched against the query's mirror image (it doubles their cost). */
  readonly mirrorDepth: number;
  describe(img: DecodedImage, region: Box, form: 'database' | 'query'): Promise<Uint8Array>;
  /** The size of the feature picture of a region (keypoint coordinates are in its pixels). */
  featureSize(region: Box): { width: number; height: number };
  /** The first half of `describe`, on the calling thread: the region as the grey picture the features are computed on. */
  prepare(img: DecodedImage, region: Box): Promise<Pixels>;
  /** The second half of `describe` (the CPU-heavy one, run in a vision worker). */
  describePrepared(grey: Pixels, form: 'database' | 'query'): Promise<Uint8Array>;
  /** Verify a query blob (either form; `mirror` false skips its mirror set) against a database blob. Deterministic. */
  verify(query: Uint8Array, candidate: Uint8Array, mirror?: boolean): Promise<RerankEvidence>;
}

/**
 * Map RANSAC inliers to a confidence. Unrelated pictures reach up to ~6 inliers by chance
 * (ORB, 500 keypoints, photo_pool probe), so below MIN_INLIERS there is no evidence; above it the
 * confidence rises with a scale of INLIER_SCALE inliers (calibration: docs/quality.md).
 */
export function inlierConfidence(inliers: number): number {
  if (inliers < MIN_INLIERS) return 0;
  return 1 - Math.exp(-(inliers - MIN_INLIERS + 1) / INLIER_SCALE);
}
const MIN_INLIERS = 12;
const INLIER_SCALE = 10;

function mirrorImage(grey: { data: Uint8Array; width: number; height: number }) {
  const { data, width, height } = grey;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = data[y * width + width - 1 - x];
  return { data: out, width, height };
}

/** An ORB + RANSAC-homography reranker with its feature budget and picture size. */
export function orbReranker(opts: { id: string; sizePx: number; minPx: number; depth: number; mirrorDepth: number } & OrbOptions): Reranker {
  const featureSize = (region: Box) => {
    // Native resolution where possible, so a crop keeps its source's scale: shrink to at most
    // sizePx, enlarge only up to minPx (ORB needs a 31 px border and finds little on tiny pictures).
    const w = region.x2 - region.x1;
    const h = region.y2 - region.y1;
    const long = Math.max(w, h);
    const s = Math.min(opts.sizePx, Math.max(opts.minPx, long)) / long;
    return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
  };
  const prepare = (img: DecodedImage, region: Box): Promise<Pixels> => toRaw(img, { box: region, ...featureSize(region), fit: 'fill', grey: true });
  const describePrepared = async (pixels: Pixels, form: 'database' | 'query'): Promise<Uint8Array> => {
    const grey = { data: pixels.data, width: pixels.width, height: pixels.height };
    const sets = [await extractOrb(grey, opts)];
    // A query's mirror set is only worth its cost when some candidates are matched against it.
    if (form === 'query' && opts.mirrorDepth > 0) sets.push(await extractOrb(mirrorImage(grey), opts));
    return serialiseLocalFeatureSets(sets);
  };
  return {
    id: opts.id,
    description: `ORB local features (${opts.maxKeypoints} keypoints on grey, ${opts.minPx}–${opts.sizePx} px), ratio-test matching and a RANSAC homography; verifies the first ${opts.depth} candidates${opts.mirrorDepth > 0 ? `, the first ${opts.mirrorDepth} against the mirrored query too` : ''}`,
    depth: opts.depth,
    mirrorDepth: opts.mirrorDepth,
    featureSize,
    prepare,
    describePrepared,
    async describe(img, region, form) {
      return describePrepared(await prepare(img, region), form);
    },
    async verify(query, candidate, mirror = true) {
      const c = deserialiseLocalFeatures(candidate);
      let best: Verification = { matches: 0, inliers: 0 };
      const sets = deserialiseLocalFeatureSets(query);
      for (const q of mirror ? sets : sets.slice(0, 1)) {
        const v = await verifyGeometry(q, c, VERIFY_DEFAULTS);
        if (v.inliers > best.inliers || (v.inliers === best.inliers && v.matches > best.matches)) best = v;
        // The unmirrored set already proves it: skip the mirror's cost.
        if (inlierConfidence(best.inliers) > 0.5) break;
      }
      return { ...best, confidence: inlierConfidence(best.inliers) };
    },
  };
}
