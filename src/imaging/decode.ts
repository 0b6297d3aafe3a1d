// Decoding and validation of image bytes with sharp: format sniffing, byte and pixel limits,
// decompression-bomb guard, EXIF orientation, and one bounded RGB working copy per image.

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { TusouError, type Box, type RawImage } from '../domain/index.js';

/** Limits applied to every picture. */
export interface ImageLimits {
  maxBytes: number;
  /** Smallest allowed width and height in px (after orientation). */
  minPx: number;
  /** Largest allowed width and height in px (after orientation). */
  maxPx: number;
}

/** A validated picture: its original bytes plus a bounded, oriented RGB working copy. */
export interface DecodedImage {
  bytes: Buffer;
  format: string;
  sha256: string;
  /** Size of the oriented original in px; regions are in these coordinates. */
  width: number;
  height: number;
  /** Oriented sRGB pixels, longest side at most WORK_PX (never enlarged). */
  work: RawImage;
}

/** Longest side of the working copy: enough for every model input (≤ 512) and for crops of it. */
export const WORK_PX = 1024;

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

/** Sniff the container from magic bytes, so non-images are named before sharp sees them. */
export function sniffFormat(b: Buffer): string {
  const at = (i: number, s: string) => b.length >= i + s.length && b.toString('latin1', i, i + s.length) === s;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (at(0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (at(0, 'GIF87a') || at(0, 'GIF89a')) return 'gif';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'webp';
  if (at(0, 'II*\x00') || at(0, 'MM\x00*')) return 'tiff';
  if (at(4, 'ftyp')) return 'heif';
  if (at(0, 'BM')) return 'bmp';
  if (at(0, '%PDF')) return 'pdf';
  if (b.length >= 2 && b[0] === 0x50 && b[1] >= 0x31 && b[1] <= 0x37) return 'pnm';
  const head = b.toString('utf8', 0, Math.min(b.length, 512)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  if (head.startsWith('<')) return 'html/xml';
  return 'unknown';
}

/** Translate a sharp failure into a catalogue error. */
function translate(err: unknown, format: string, limits: ImageLimits): TusouError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) {
    return new TusouError('IMAGE_PIXELS_OUT_OF_RANGE', { width: -1, height: -1, minPx: limits.minPx, maxPx: limits.maxPx }, { cause: err });
  }
  if (/unsupported image format/i.test(msg)) return new TusouError('IMAGE_FORMAT_UNSUPPORTED', { format }, { cause: err });
  return new TusouError('IMAGE_CORRUPT', { format, reason: msg.replace(/\s+/g, ' ').slice(0, 160) }, { cause: err });
}

/**
 * Validate and decode a picture into a bounded working copy.
 * @throws IMAGE_EMPTY, IMAGE_TOO_LARGE, IMAGE_FORMAT_UNSUPPORTED, IMAGE_CORRUPT, IMAGE_PIXELS_OUT_OF_RANGE
 */
export async function decodeImage(bytes: Buffer, limits: ImageLimits): Promise<DecodedImage> {
  if (bytes.length === 0) throw new TusouError('IMAGE_EMPTY');
  if (bytes.length > limits.maxBytes) throw new TusouError('IMAGE_TOO_LARGE', { bytes: bytes.length, maxBytes: limits.maxBytes });
  const format = sniffFormat(bytes);
  if (!SUPPORTED.has(format)) throw new TusouError('IMAGE_FORMAT_UNSUPPORTED', { format });
  // The pixel-count guard rejects decompression bombs from the header, before any decoding. The
  // header is read without it so the refusal can say how large the picture claims to be.
  const limitInputPixels = limits.maxPx * limits.maxPx;
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, animated: false }).metadata();
  } catch (err) {
    throw translate(err, format, limits);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  if (width < limits.minPx || height < limits.minPx || width > limits.maxPx || height > limits.maxPx) {
    throw new TusouError('IMAGE_PIXELS_OUT_OF_RANGE', { width, height, minPx: limits.minPx, maxPx: limits.maxPx });
  }
  let work: RawImage;
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels, animated: false, failOn: 'warning' })
      .rotate()
      .resize({ width: WORK_PX, height: WORK_PX, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    work = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw translate(err, format, limits);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, format, sha256, width, height, work };
}

/** How to turn (a region of) a decoded image into model input. */
export interface RawRequest {
  /** Region in original pixels; the whole image when absent. */
  box?: Box;
  width: number;
  height: number;
  /** `fill` stretches to exactly width×height; `inside` keeps the aspect ratio within it; `cover` fills it and cuts the centre. */
  fit: 'fill' | 'inside' | 'cover';
  grey?: boolean;
}

/** Crop and resize the working copy of an image. Returns RGB (or 1-channel when `grey`). */
export async function toRaw(img: DecodedImage, req: RawRequest): Promise<RawImage & { channels: number }> {
  const { work } = img;
  let pipeline = sharp(Buffer.from(work.data.buffer, work.data.byteOffset, work.data.length), {
    raw: { width: work.width, height: work.height, channels: 3 },
  });
  if (req.box) {
    const sx = work.width / img.width;
    const sy = work.height / img.height;
    const left = Math.min(work.width - 1, Math.max(0, Math.floor(req.box.x1 * sx)));
    const top = Math.min(work.height - 1, Math.max(0, Math.floor(req.box.y1 * sy)));
    const right = Math.min(work.width, Math.max(left + 1, Math.ceil(req.box.x2 * sx)));
    const bottom = Math.min(work.height, Math.max(top + 1, Math.ceil(req.box.y2 * sy)));
    pipeline = pipeline.extract({ left, top, width: right - left, height: bottom - top });
  }
  pipeline = pipeline.resize({ width: req.width, height: req.height, fit: req.fit, kernel: 'lanczos3' });
  if (req.grey) pipeline = pipeline.greyscale();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}
