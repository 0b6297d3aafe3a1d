// The face side of the Vision facade: find every face of a picture (in the worker pool), pick the
// main one (the caller's region, else the largest) and return one vector per face, main first.

import { TusouError, type Box, type DetectedRegion } from '../domain/index.js';
import { toRaw, type DecodedImage } from '../imaging/index.js';
import type { FaceOutput } from './detectors/faces.js';
import type { Pixels } from './feature-extractor.js';

/** What face analysis returns: the Analysis fields plus every face's vector. */
export interface FaceAnalysis {
  region: Box;
  regions: DetectedRegion[];
  /** The main face's vector. */
  vector: Float32Array;
  /** Every face's vector, concatenated in `regions` order (main first). */
  parts: Float32Array;
}

const area = (b: Box) => (b.x2 - b.x1) * (b.y2 - b.y1);

/** Share of `face` that lies inside `region`. */
function covered(face: Box, region: Box): number {
  const w = Math.min(face.x2, region.x2) - Math.max(face.x1, region.x1);
  const h = Math.min(face.y2, region.y2) - Math.max(face.y1, region.y1);
  return w > 0 && h > 0 ? (w * h) / area(face) : 0;
}

// A crop smaller than this is enlarged before detection: SSD works on 512×512 and misses small faces.
const CROP_PX = 512;

/**
 * Find and describe the faces of a picture. With a region, the main face is the detected face
 * lying mostly (≥ 50 %) inside it, the largest such; when none does, faces are looked for in
 * the region alone. Without a region, the main face is the largest.
 * @throws FACE_NOT_FOUND when the picture (or the region) shows no face
 */
export async function analyseFaces(run: (pixels: Pixels) => Promise<FaceOutput>, img: DecodedImage, dim: number, region?: Box): Promise<FaceAnalysis> {
  const { work } = img;
  // A copy: the pool moves the pixels it sends, and the working copy is used again (crops, reindex).
  const whole = await run({ data: work.data.slice(), width: work.width, height: work.height, channels: 3 });
  let faces = scaled(whole, work.width, work.height, { x1: 0, y1: 0, x2: img.width, y2: img.height });
  let main = 0;
  if (region) {
    const inside = faces.map((f, i) => ({ i, a: area(f.box) })).filter(({ i }) => covered(faces[i].box, region) >= 0.5);
    if (inside.length > 0) {
      main = inside.reduce((best, c) => (c.a > best.a ? c : best)).i;
    } else {
      const crop = await toRaw(img, { box: region, width: CROP_PX, height: CROP_PX, fit: 'inside' });
      faces = scaled(await run(crop), crop.width, crop.height, region);
      if (faces.length === 0) throw new TusouError('FACE_NOT_FOUND', { where: `the region ${region.x1},${region.x2},${region.y1},${region.y2}` });
    }
  }
  if (faces.length === 0) throw new TusouError('FACE_NOT_FOUND', { where: 'the picture' });
  const order = [main, ...faces.map((_, i) => i).filter((i) => i !== main)];
  const parts = new Float32Array(order.length * dim);
  order.forEach((i, k) => parts.set(faces[i].vector, k * dim));
  return {
    region: faces[main].box,
    regions: order.map((i) => ({ box: faces[i].box, label: 'face', score: faces[i].score })),
    vector: parts.slice(0, dim),
    parts,
  };

  /** Faces of a worker answer in picture pixels: `out` covered a w×h input showing `frame` of the picture. */
  function scaled(out: FaceOutput, w: number, h: number, frame: Box) {
    const sx = (frame.x2 - frame.x1) / w;
    const sy = (frame.y2 - frame.y1) / h;
    return out.faces.map((f, i) => ({
      box: {
        x1: Math.max(0, Math.round(frame.x1 + f.box.x1 * sx)), y1: Math.max(0, Math.round(frame.y1 + f.box.y1 * sy)),
        x2: Math.min(img.width, Math.round(frame.x1 + f.box.x2 * sx)), y2: Math.min(img.height, Math.round(frame.y1 + f.box.y2 * sy)),
      },
      score: f.score,
      vector: out.vectors.subarray(i * dim, (i + 1) * dim),
    }));
  }
}
