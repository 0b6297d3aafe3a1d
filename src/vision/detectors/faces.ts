// Worker side of face search: face-api finds the faces of a picture (SSD-MobileNetV1), aligns
// each by its 68 landmarks and describes it with the 128-d recognition net, in one pass.

import { MAX_VECTOR_PARTS, type Box } from '../../domain/index.js';
import type { Pixels } from '../feature-extractor.js';
import { faceApi } from '../tf/models.js';
import { tfReady } from '../tf/runtime.js';

/** Faces of a picture, in the coordinates of the pixels given. */
export interface FaceOutput {
  faces: { box: Box; score: number }[];
  /** One L2-normalised 128-d descriptor per face, concatenated in `faces` order. */
  vectors: Float32Array;
}

/** Dimension of a face descriptor (face-api recognition net). */
export const FACE_DIM = 128;

// face-api's default; below it SSD reports background textures and partial faces (a 0.38 box on a
// bookshelf in one Caltech photo), above it turned-away faces are lost (0.55 in sample3).
const MIN_CONFIDENCE = 0.5;

/** Detect and describe every face (at most MAX_VECTOR_PARTS, largest first) in RGB pixels. */
export async function detectFaces(pixels: Pixels): Promise<FaceOutput> {
  if (pixels.channels !== 3) throw new Error(`face detection needs RGB pixels; got ${pixels.channels} channels`);
  const [tf, api] = await Promise.all([tfReady(), faceApi()]);
  const x = tf.tensor3d(pixels.data, [pixels.height, pixels.width, 3], 'int32');
  let results;
  try {
    results = await api.detectAllFaces(x, new api.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: 100 }))
      .withFaceLandmarks().withFaceDescriptors();
  } finally {
    x.dispose();
  }
  const clampX = (v: number) => Math.min(pixels.width, Math.max(0, Math.round(v)));
  const clampY = (v: number) => Math.min(pixels.height, Math.max(0, Math.round(v)));
  const faces = results
    .map((r) => {
      const b = r.detection.box;
      return { box: { x1: clampX(b.x), y1: clampY(b.y), x2: clampX(b.x + b.width), y2: clampY(b.y + b.height) }, score: r.detection.score, descriptor: r.descriptor };
    })
    .filter((f) => f.box.x2 > f.box.x1 && f.box.y2 > f.box.y1)
    .sort((a, b) => (b.box.x2 - b.box.x1) * (b.box.y2 - b.box.y1) - (a.box.x2 - a.box.x1) * (a.box.y2 - a.box.y1))
    .slice(0, MAX_VECTOR_PARTS);
  const vectors = new Float32Array(faces.length * FACE_DIM);
  faces.forEach((f, i) => {
    let n = 0;
    for (const v of f.descriptor) n += v * v;
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let j = 0; j < FACE_DIM; j++) vectors[i * FACE_DIM + j] = f.descriptor[j] * s;
  });
  return { faces: faces.map((f) => ({ box: f.box, score: Math.round(f.score * 1000) / 1000 })), vectors };
}
