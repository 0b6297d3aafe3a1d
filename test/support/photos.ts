// Real photographs for tests, cut from the sample sheet that the @vladmandic/human package ships
// (a dependency, so every checkout has it): a large party scene and two unrelated small photos.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
// The package exports no package.json; its entry point sits in dist/, one level below assets/.
const SHEET = join(dirname(require.resolve('@vladmandic/human')), '..', 'assets', 'samples.jpg');

// Boxes on the 1280×1158 sheet. `party` is the big photo; the others are thumbnails of other scenes
// (the sheet's 7th thumbnail is the party photo again, so it is never used as "unrelated").
const PHOTOS = {
  party: { left: 0, top: 205, width: 1280, height: 953 },
  dinner: { left: 326, top: 0, width: 210, height: 158 },
  portrait: { left: 166, top: 0, width: 150, height: 158 },
} as const;

export type PhotoName = keyof typeof PHOTOS;

/** JPEG bytes (quality 90) of a real photograph, at most `maxPx` on its longer side. */
export async function photo(name: PhotoName, maxPx = 640): Promise<Buffer> {
  return sharp(SHEET).extract(PHOTOS[name]).resize(maxPx, maxPx, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
}
