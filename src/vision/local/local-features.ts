// Local features: ORB keypoints (OpenCV) with their 256-bit binary descriptors, and the compact
// blob they are stored as (keyed by the reranker's id next to the image's global vector).

import { loadOpenCv } from './opencv.js';

/** Keypoints of one picture: positions in the pixels they were found on, and their descriptors. */
export interface LocalFeatures {
  /** Size of the (resized) picture the keypoints were found on. */
  width: number;
  height: number;
  count: number;
  /** x0, y0, x1, y1, … in pixels. */
  xy: Float32Array;
  /** `count` descriptors of DESCRIPTOR_BYTES bytes each. */
  descriptors: Uint8Array;
}

/** ORB descriptors are 256 bits. */
export const DESCRIPTOR_BYTES = 32;

export interface OrbOptions {
  /** Keypoints kept per picture (the strongest by FAST/Harris score). */
  maxKeypoints: number;
  /** FAST threshold; lower finds keypoints on flatter pictures. */
  fastThreshold: number;
}

/**
 * ORB keypoints and descriptors of a grey picture (1 channel, row-major). Deterministic for the
 * same pixels.
 */
export async function extractOrb(grey: { data: Uint8Array; width: number; height: number }, opts: OrbOptions): Promise<LocalFeatures> {
  const cv = await loadOpenCv();
  const img = new cv.Mat(grey.height, grey.width, cv.CV_8UC1);
  const mask = new cv.Mat();
  const keypoints = new cv.KeyPointVector();
  const desc = new cv.Mat();
  // edgeThreshold = patchSize = 31 (OpenCV defaults): keypoints need a full patch inside the picture.
  const orb = new cv.ORB(opts.maxKeypoints, 1.2, 8, 31, 0, 2, cv.ORB_HARRIS_SCORE, 31, opts.fastThreshold);
  try {
    img.data.set(grey.data);
    orb.detectAndCompute(img, mask, keypoints, desc);
    const count = desc.rows;
    const xy = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      const kp = keypoints.get(i) as { pt: { x: number; y: number } };
      xy[2 * i] = kp.pt.x;
      xy[2 * i + 1] = kp.pt.y;
    }
    const descriptors = count > 0 ? Uint8Array.from(desc.data.subarray(0, count * DESCRIPTOR_BYTES)) : new Uint8Array(0);
    return { width: grey.width, height: grey.height, count, xy, descriptors };
  } finally {
    orb.delete(); desc.delete(); keypoints.delete(); mask.delete(); img.delete();
  }
}

// Blob layout (little-endian): "LF01", u16 width, u16 height, u16 count, u16 reserved,
// count × (u16 x·8, u16 y·8), count × 32 descriptor bytes. Positions keep 1/8 px.
const MAGIC = [0x4c, 0x46, 0x30, 0x31];
const HEADER = 12;
const FIXED = 8;

/** Pack local features into the blob the store keeps (36 bytes per keypoint plus 12). */
export function serialiseLocalFeatures(f: LocalFeatures): Uint8Array {
  const out = new Uint8Array(HEADER + f.count * (4 + DESCRIPTOR_BYTES));
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, f.width, true);
  view.setUint16(6, f.height, true);
  view.setUint16(8, f.count, true);
  for (let i = 0; i < f.count; i++) {
    view.setUint16(HEADER + 4 * i, Math.round(f.xy[2 * i] * FIXED), true);
    view.setUint16(HEADER + 4 * i + 2, Math.round(f.xy[2 * i + 1] * FIXED), true);
  }
  out.set(f.descriptors.subarray(0, f.count * DESCRIPTOR_BYTES), HEADER + 4 * f.count);
  return out;
}

/**
 * Unpack a blob written by serialiseLocalFeatures.
 * @throws Error when the blob is not a local-feature blob (a store inconsistency, not user input)
 */
export function deserialiseLocalFeatures(blob: Uint8Array): LocalFeatures {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < HEADER || MAGIC.some((b, i) => blob[i] !== b)) throw new Error('not a local-feature blob (bad magic)');
  const width = view.getUint16(4, true);
  const height = view.getUint16(6, true);
  const count = view.getUint16(8, true);
  if (blob.length !== HEADER + count * (4 + DESCRIPTOR_BYTES)) throw new Error(`local-feature blob of ${blob.length} bytes does not hold ${count} keypoints`);
  const xy = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    xy[2 * i] = view.getUint16(HEADER + 4 * i, true) / FIXED;
    xy[2 * i + 1] = view.getUint16(HEADER + 4 * i + 2, true) / FIXED;
  }
  const start = HEADER + 4 * count;
  return { width, height, count, xy, descriptors: blob.slice(start, start + count * DESCRIPTOR_BYTES) };
}

/** Pack several feature sets (e.g. a picture and its mirror image) back to back in one blob. */
export function serialiseLocalFeatureSets(sets: readonly LocalFeatures[]): Uint8Array {
  const parts = sets.map(serialiseLocalFeatures);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Unpack a blob of one or more feature sets. @throws Error on a malformed blob (see deserialiseLocalFeatures) */
export function deserialiseLocalFeatureSets(blob: Uint8Array): LocalFeatures[] {
  const sets: LocalFeatures[] = [];
  let at = 0;
  while (at < blob.length) {
    if (blob.length - at < HEADER) throw new Error('truncated local-feature blob');
    const count = blob[at + 8] | (blob[at + 9] << 8);
    const end = at + HEADER + count * (4 + DESCRIPTOR_BYTES);
    sets.push(deserialiseLocalFeatures(blob.subarray(at, end)));
    at = end;
  }
  return sets;
}
