// The face descriptor of face instances: face-api's recognition net (ResNet-34, dlib-compatible,
// 128-d) on faces found and aligned by face-api, L2-normalised, compared by cosine.

import { TusouError } from '../../domain/index.js';
import { FACE_DIM, detectFaces } from '../detectors/faces.js';
import type { FeatureExtractor } from '../feature-extractor.js';

/**
 * `faceapi-rec128@1`. The Vision facade describes every face of a picture with it (`faces`,
 * `parts`); `extract` alone describes the largest face of the pixels it is given. Scores are
 * calibrated so that 0.5 is the same-person decision threshold (docs/faces.md).
 * @throws FACE_NOT_FOUND from `extract` when the pixels show no face
 */
export const faceApiRecognition: FeatureExtractor = {
  id: 'faceapi-rec128@1',
  dim: FACE_DIM,
  kind: 'float',
  metric: 'cosine',
  // The picture's working copy is what the face pipeline reads; this is the size of one aligned face.
  input: { width: 150, height: 150, fit: 'fill' },
  description: 'faces: face-api SSD-MobileNetV1 detection + 68-landmark alignment + 128-d recognition net (dlib-compatible), one vector per face, cosine, calibrated',
  pooled: true,
  faces: true,
  parts: true,
  // Cosine distance 0.06 lies between the same-person pairs (≤ 0.052) and the different-person
  // pairs (≥ 0.065) of the labelled faces of bench/face.ts (Caltech Faces, the facematch sheet of
  // @vladmandic/human); steepness 4 gives 0.94 at 0.03 and 0.13 at 0.096. dlib's published 0.6
  // (Euclidean, ≈ 0.086 cosine here) let through different people in those sets.
  calibration: { threshold: 0.06, steepness: 4 },
  async extract(pixels) {
    const out = await detectFaces(pixels);
    if (out.faces.length === 0) throw new TusouError('FACE_NOT_FOUND', { where: 'the picture' });
    return out.vectors.slice(0, FACE_DIM);
  },
};
