// Real photos for tests, from npm packages the project installs (so CI has them without
// /work/shared/datasets): the demo photos of @vladmandic/face-api. Boxes below were labelled by
// hand on a pixel grid (see docs/vision.md); they are ground truth, not detector output.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Box } from '../../src/domain/index.js';

const require = createRequire(import.meta.url);
const FACE_API_DEMO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export type DemoPhotoName = 'sample1' | 'sample2' | 'sample3' | 'sample4' | 'sample5' | 'sample6';

/** Bytes of a real JPEG photo (1920 px wide, groups of people indoors). */
export function demoPhoto(name: DemoPhotoName): Buffer {
  return readFileSync(join(FACE_API_DEMO, `${name}.jpg`));
}

/** Hand-labelled objects: COCO label and box in the photo's pixels. */
export const LABELLED: Readonly<Record<string, { photo: DemoPhotoName; label: string; box: Box }>> = {
  'phone on the sofa': { photo: 'sample2', label: 'cell phone', box: { x1: 72, y1: 1252, x2: 300, y2: 1346 } },
  'woman on the right': { photo: 'sample2', label: 'person', box: { x1: 1230, y1: 40, x2: 1880, y2: 1367 } },
  'woman in the green dress': { photo: 'sample6', label: 'person', box: { x1: 140, y1: 375, x2: 735, y2: 1537 } },
  'woman in the red dress': { photo: 'sample6', label: 'person', box: { x1: 608, y1: 208, x2: 1042, y2: 1537 } },
};
