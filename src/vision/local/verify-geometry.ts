// Geometric verification of two pictures' local features: Hamming nearest neighbours with
// Lowe's ratio test and one match per keypoint, then a RANSAC homography; the evidence that the
// same object or picture is in both is the number of matches consistent with that homography.

import { DESCRIPTOR_BYTES, type LocalFeatures } from './local-features.js';
import { loadOpenCv, type Cv } from './opencv.js';

export interface Verification {
  /** Tentative matches that passed the ratio test. */
  matches: number;
  /** Matches consistent with the homography found (0 when none was found or it was degenerate). */
  inliers: number;
}

export interface VerifyOptions {
  /** A match is kept when its distance < ratio × the second-nearest's (Lowe's ratio test). */
  ratio: number;
  /** RANSAC reprojection tolerance in pixels of the candidate's feature picture. */
  reprojPx: number;
}

export const VERIFY_DEFAULTS: VerifyOptions = Object.freeze({ ratio: 0.8, reprojPx: 6 });

// A homography needs 4 correspondences; with fewer than this many, RANSAC finds chance fits only.
const MIN_MATCHES = 8;

function descriptorMat(cv: Cv, f: LocalFeatures) {
  const m = new cv.Mat(f.count, DESCRIPTOR_BYTES, cv.CV_8UC1);
  m.data.set(f.descriptors.subarray(0, f.count * DESCRIPTOR_BYTES));
  return m;
}

/** Tentative matches query → candidate: ratio test, then at most one query keypoint per candidate keypoint. */
function match(cv: Cv, q: LocalFeatures, c: LocalFeatures, ratio: number): [number, number][] {
  const qd = descriptorMat(cv, q);
  const cd = descriptorMat(cv, c);
  const matcher = new cv.BFMatcher(cv.NORM_HAMMING, false);
  const knn = new cv.DMatchVectorVector();
  try {
    matcher.knnMatch(qd, cd, knn, 2);
    const best = new Map<number, { q: number; d: number }>();
    for (let i = 0; i < knn.size(); i++) {
      const pair = knn.get(i);
      if (pair.size() < 2) continue;
      const m0 = pair.get(0) as { queryIdx: number; trainIdx: number; distance: number };
      const m1 = pair.get(1) as { distance: number };
      if (m0.distance >= ratio * m1.distance) continue;
      const prev = best.get(m0.trainIdx);
      if (!prev || m0.distance < prev.d) best.set(m0.trainIdx, { q: m0.queryIdx, d: m0.distance });
    }
    return [...best].map(([t, { q }]) => [q, t]);
  } finally {
    knn.delete(); matcher.delete(); cd.delete(); qd.delete();
  }
}

/** A homography that maps a picture to something a camera or an edit could produce. */
function plausible(h: ArrayLike<number>): boolean {
  const det = h[0] * h[4] - h[1] * h[3];
  // Scale between 1/6 and 6 in area terms, no mirror (flips are matched as a mirrored query), and
  // a mild perspective: these bound what crops, rescales, rotations and viewpoint changes do.
  return det > 1 / 36 && det < 36 && Math.abs(h[6]) < 0.005 && Math.abs(h[7]) < 0.005;
}

/**
 * How strongly two pictures' local features agree on one geometric transform. Deterministic
 * (OpenCV's RANSAC uses a fixed seed).
 */
export async function verifyGeometry(query: LocalFeatures, candidate: LocalFeatures, opts: VerifyOptions = VERIFY_DEFAULTS): Promise<Verification> {
  if (query.count < 2 || candidate.count < 2) return { matches: 0, inliers: 0 };
  const cv = await loadOpenCv();
  const pairs = match(cv, query, candidate, opts.ratio);
  if (pairs.length < MIN_MATCHES) return { matches: pairs.length, inliers: 0 };
  const src = new Float32Array(pairs.length * 2);
  const dst = new Float32Array(pairs.length * 2);
  pairs.forEach(([qi, ci], i) => {
    src[2 * i] = query.xy[2 * qi]; src[2 * i + 1] = query.xy[2 * qi + 1];
    dst[2 * i] = candidate.xy[2 * ci]; dst[2 * i + 1] = candidate.xy[2 * ci + 1];
  });
  const srcMat = cv.matFromArray(pairs.length, 1, cv.CV_32FC2, Array.from(src));
  const dstMat = cv.matFromArray(pairs.length, 1, cv.CV_32FC2, Array.from(dst));
  const mask = new cv.Mat();
  let h: ReturnType<typeof cv.findHomography> | undefined;
  try {
    h = cv.findHomography(srcMat, dstMat, cv.RANSAC, opts.reprojPx, mask);
    if (h.empty() || !plausible(h.data64F)) return { matches: pairs.length, inliers: 0 };
    let inliers = 0;
    for (let i = 0; i < mask.rows; i++) if (mask.data[i]) inliers++;
    return { matches: pairs.length, inliers };
  } finally {
    h?.delete(); mask.delete(); dstMat.delete(); srcMat.delete();
  }
}
