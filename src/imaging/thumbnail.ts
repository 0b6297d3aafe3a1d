// Thumbnails: the oriented picture shrunk to fit a square, encoded as WebP.

import sharp from 'sharp';
import { TusouError } from '../domain/index.js';
import type { ImageLimits } from './decode.js';

/** Thumbnail edge lengths tusou generates and caches; anything else would grow the cache without bound. */
export const THUMBNAIL_SIZES = Object.freeze([64, 128, 256, 512, 1024] as const);

/** Content type of every thumbnail. */
export const THUMBNAIL_TYPE = 'image/webp';

/**
 * A WebP of the picture (EXIF orientation applied) whose longer side is at most `sizePx`; small
 * pictures are never enlarged.
 * @throws IMAGE_CORRUPT when sharp cannot read the picture
 */
export async function makeThumbnail(bytes: Buffer, sizePx: number, limits: ImageLimits): Promise<Buffer> {
  try {
    return await sharp(bytes, { limitInputPixels: limits.maxPx * limits.maxPx, animated: false })
      .rotate()
      .resize({ width: sizePx, height: sizePx, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 160);
    throw new TusouError('IMAGE_CORRUPT', { format: 'picture', reason }, { cause: err });
  }
}
