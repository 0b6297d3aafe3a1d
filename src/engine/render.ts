// Pictures made for people: cached thumbnails of stored images, and pictures with their regions
// drawn on them (stored images, and the query of a search by picture).

import { TusouError, shown, type Box, type DetectedRegion } from '../domain/index.js';
import {
  THUMBNAIL_SIZES, THUMBNAIL_TYPE, annotatePicture, makeThumbnail, type AnnotatedPicture, type Annotation,
} from '../imaging/index.js';
import type { EngineContext } from './context.js';
import { getOriginal, type KeyInput } from './images.js';

/** Thumbnail size when none is asked for. */
export const DEFAULT_THUMBNAIL_PX = 256;

/** A thumbnail's bytes and what a client needs to cache it. */
export interface Thumbnail {
  bytes: Buffer;
  contentType: string;
  /** The original's SHA-256: thumbnails of one original never change, so it makes a strong ETag. */
  sha256: string;
  sizePx: number;
}

/** Options of the annotated pictures. */
export interface RenderOptions {
  /** Bound the longest side of the output (16..8192); by default the original's size. */
  maxPx?: unknown;
}

const sameBox = (a: Box, b: Box) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

/**
 * What to draw for a picture described at `region` with detections `regions`: every detection
 * with its label and score, and the described region highlighted (a detection when it is one,
 * else a box of its own labelled `mainLabel`).
 */
export function regionAnnotations(region: Box, regions: readonly DetectedRegion[], mainLabel = 'region'): Annotation[] {
  const out: Annotation[] = regions.map((r) => ({ box: r.box, label: r.label, score: r.score, main: sameBox(r.box, region) }));
  if (!out.some((a) => a.main)) out.push({ box: region, label: mainLabel, main: true });
  return out;
}

function thumbnailSize(v: unknown): number {
  if (v === undefined || v === null || v === '') return DEFAULT_THUMBNAIL_PX;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && (THUMBNAIL_SIZES as readonly number[]).includes(n)) return n;
  throw new TusouError('PARAM_INVALID', { field: 'size', expected: `one of ${THUMBNAIL_SIZES.join(', ')}`, got: shown(v, 20) });
}

function maxPxOf(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 16 && n <= 8192) return n;
  throw new TusouError('PARAM_INVALID', { field: 'maxPx', expected: 'an integer in 16..8192', got: shown(v, 20) });
}

/**
 * A thumbnail of a stored image (longer side ≤ size px, default 256), generated on first use and
 * then served from the cache.
 * @throws INSTANCE_NOT_FOUND, IMAGE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_*, PARAM_INVALID (size)
 */
export async function thumbnail(ctx: EngineContext, instanceName: string, key: KeyInput, size?: unknown): Promise<Thumbnail> {
  const sizePx = thumbnailSize(size);
  const { image, bytes } = await getOriginal(ctx, instanceName, key);
  const thumb = await ctx.thumbnails.getOrCreate(image.sha256, sizePx, () => makeThumbnail(bytes, sizePx, ctx.options.image));
  return { bytes: thumb, contentType: THUMBNAIL_TYPE, sha256: image.sha256, sizePx };
}

/**
 * A stored image as PNG with its detected regions and the described region drawn on it.
 * @throws INSTANCE_NOT_FOUND, IMAGE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_*, PARAM_INVALID (maxPx)
 */
export async function annotatedImage(ctx: EngineContext, instanceName: string, key: KeyInput, opts: RenderOptions = {}): Promise<AnnotatedPicture> {
  const maxPx = maxPxOf(opts.maxPx);
  const { image, bytes } = await getOriginal(ctx, instanceName, key);
  return annotatePicture(bytes, regionAnnotations(image.region, image.regions), { limits: ctx.options.image, maxPx });
}

/**
 * The query picture of a search as PNG, with every detected region and the searched region drawn.
 * @throws IMAGE_CORRUPT, PARAM_INVALID (maxPx)
 */
export async function annotateQuery(ctx: EngineContext, bytes: Buffer, query: { region: Box; regions: readonly DetectedRegion[] }, opts: RenderOptions = {}): Promise<AnnotatedPicture> {
  return annotatePicture(bytes, regionAnnotations(query.region, query.regions, 'query'), { limits: ctx.options.image, maxPx: maxPxOf(opts.maxPx) });
}
