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

/**
 * Hand-labelled faces (hairline to chin, cheek to cheek), read off a 20 px grid drawn over the
 * photo; used to check where the face pipeline puts its boxes.
 */
export const LABELLED_FACES: Readonly<Record<string, { photo: DemoPhotoName; box: Box }>> = {
  'sample1 left, clown make-up': { photo: 'sample1', box: { x1: 420, y1: 365, x2: 610, y2: 575 } },
  'sample1 middle, looking down': { photo: 'sample1', box: { x1: 830, y1: 445, x2: 1032, y2: 655 } },
  'sample1 right, head tilted': { photo: 'sample1', box: { x1: 1487, y1: 207, x2: 1690, y2: 440 } },
};

// human's `exports` hide package.json; its main entry sits in dist/, one level below the package.
const HUMAN_ASSETS = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'assets');

/**
 * One face of the "facematch" screenshot shipped by @vladmandic/human: a sheet of face crops from
 * many photos (6 rows of 18 tiles, ~107 px each). Labelled by hand: row 0 tiles 0–8 show the same
 * man in nine different photos; row 1 tiles 5, 6, 7, 9, 10, 11, 12, 14 and 17 show other people
 * (one man, eight women). The other tiles are left out (unsure). The tile is returned on a grey
 * border, as the face detector needs some context around a tight crop.
 */
export async function facematchTile(row: number, col: number): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const left = Math.round((col * 1920) / 18);
  const top = 283 + Math.round(row * 112.4);
  return sharp(join(HUMAN_ASSETS, 'screenshot-facematch.jpg'))
    .extract({ left, top, width: 106, height: 106 })
    .extend({ top: 106, bottom: 106, left: 106, right: 106, background: '#808080' })
    .jpeg({ quality: 92 }).toBuffer();
}

/** The tiles of the same man (row 0) and of other people (row 1), per the labels above. */
export const FACEMATCH_SAME_MAN: readonly [number, number][] = [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [0, 7], [0, 8]];
export const FACEMATCH_OTHERS: readonly [number, number][] = [[1, 5], [1, 6], [1, 7], [1, 9], [1, 10], [1, 11], [1, 12], [1, 14], [1, 17]];
