// Turning raw detector output into regions: scaling to original pixels, non-maximum suppression,
// and the choice of the main region (the cloud's `Region`) among the detections.

import type { Box, DetectedRegion } from '../../domain/index.js';

/** A detection in the coordinates of the detector's input, before suppression. */
export interface RawDetection {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classIndex: number;
}

/** Thresholds of region selection; the defaults are explained in docs/vision.md. */
export interface RegionOptions {
  /** Detections below this score are dropped (MultiRegion). */
  minScore: number;
  /** Overlap (IoU) above which the lower-scored of two same-label detections is suppressed. */
  iou: number;
  /** The same across labels: higher, so a cup on a table keeps the table, but a phone also
   *  reported as a remote in the same box is one region. */
  iouAcrossLabels: number;
  /** At most this many regions are kept. */
  maxRegions: number;
  /** The main region needs at least this score ... */
  mainMinScore: number;
  /** ... and at least this share of the picture's area; else the saliency fallback is used. */
  mainMinArea: number;
}

// CenterNet scores sit in 0.3–0.75 on real photos; below 0.3 boxes are mostly duplicates or noise (DESIGN §3).
/** The thresholds tusou uses unless told otherwise. */
export const DEFAULT_REGION_OPTIONS: RegionOptions = Object.freeze({ minScore: 0.3, iou: 0.5, iouAcrossLabels: 0.8, maxRegions: 10, mainMinScore: 0.3, mainMinArea: 0.01 });

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Scale detections from a `inputW`×`inputH` model input to integer boxes inside a `width`×`height`
 * picture, drop weak and empty ones, and suppress overlapping duplicates (highest score wins).
 */
export function selectRegions(raw: readonly RawDetection[], input: { width: number; height: number }, picture: { width: number; height: number },
  labelOf: (classIndex: number) => string, opts: RegionOptions = DEFAULT_REGION_OPTIONS): DetectedRegion[] {
  const sx = picture.width / input.width;
  const sy = picture.height / input.height;
  const clampX = (v: number) => Math.min(picture.width, Math.max(0, Math.round(v * sx)));
  const clampY = (v: number) => Math.min(picture.height, Math.max(0, Math.round(v * sy)));
  const candidates = raw
    .filter((d) => d.score >= opts.minScore && Number.isFinite(d.classIndex))
    .map((d) => ({ box: { x1: clampX(d.x1), y1: clampY(d.y1), x2: clampX(d.x2), y2: clampY(d.y2) }, label: labelOf(d.classIndex), score: Math.round(d.score * 1000) / 1000 }))
    .filter((r) => r.box.x2 > r.box.x1 && r.box.y2 > r.box.y1)
    .sort((a, b) => b.score - a.score);
  const kept: DetectedRegion[] = [];
  for (const c of candidates) {
    if (kept.length >= opts.maxRegions) break;
    if (kept.every((k) => iou(k.box, c.box) <= (k.label === c.label ? opts.iou : opts.iouAcrossLabels))) kept.push(c);
  }
  return kept;
}

/**
 * How much a region looks like the picture's main subject: confident, then large and central.
 * The area share enters at the fourth root, so a much larger object wins over a slightly more
 * confident one, but a box around the scene (a table under a cup) does not beat the confident
 * object on it; centrality only breaks near-ties (at worst it halves the weight).
 */
export function subjectWeight(r: DetectedRegion, width: number, height: number): number {
  const area = ((r.box.x2 - r.box.x1) * (r.box.y2 - r.box.y1)) / (width * height);
  const dx = (r.box.x1 + r.box.x2) / 2 / width - 0.5;
  const dy = (r.box.y1 + r.box.y2) / 2 / height - 0.5;
  const centrality = 1 - Math.min(1, Math.hypot(dx, dy) / Math.SQRT1_2) * 0.5;
  return r.score * Math.sqrt(Math.sqrt(area)) * centrality;
}

/** The main region among detections, or undefined when none is confident and large enough. */
export function mainRegion(regions: readonly DetectedRegion[], width: number, height: number, opts: RegionOptions = DEFAULT_REGION_OPTIONS): DetectedRegion | undefined {
  let best: DetectedRegion | undefined;
  let bestWeight = -1;
  for (const r of regions) {
    const area = ((r.box.x2 - r.box.x1) * (r.box.y2 - r.box.y1)) / (width * height);
    if (r.score < opts.mainMinScore || area < opts.mainMinArea) continue;
    const w = subjectWeight(r, width, height);
    if (w > bestWeight) {
      best = r;
      bestWeight = w;
    }
  }
  return best;
}
