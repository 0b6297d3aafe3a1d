// The shared first step of add, search and compare: validate and decode a picture, settle the
// region (caller's box, detection, or the whole image) and compute the instance's descriptor.

import {
  OTHER_CATEGORY, TusouError, checkBox, parseRegion, validateBool, validateCategory,
  type Box, type Instance,
} from '../domain/index.js';
import { decodeImage, type DecodedImage } from '../imaging/index.js';
import type { Analysis } from '../vision/index.js';
import type { EngineContext } from './context.js';

export interface PictureInput {
  bytes: Buffer | undefined;
  /** Detect the main subject (default true); ignored when `region` is given. */
  crop?: unknown;
  /** `x1,x2,y1,y2` (the cloud's form) or a Box, in pixels of the picture. */
  region?: unknown;
  categoryId?: unknown;
}

export interface Picture {
  decoded: DecodedImage;
  analysis: Analysis;
  /** The caller's category (validated), if given. */
  givenCategory?: number;
  /** The category to store or search: given, else predicted, else Other (product service only). */
  categoryId: number;
  /** True when the category came from the caller or a detection, not the Other fallback. */
  categoryKnown: boolean;
  /** Milliseconds spent decoding and validating the picture. */
  decodeMs: number;
}

function regionOf(v: unknown, width: number, height: number): Box | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') {
    const b = v as Partial<Box>;
    if ([b.x1, b.y1, b.x2, b.y2].every((n) => Number.isInteger(n))) return checkBox(b as Box, width, height);
    throw new TusouError('REGION_INVALID', { got: JSON.stringify(v).slice(0, 60), reason: 'a box needs integer x1, y1, x2, y2' });
  }
  return parseRegion(v, width, height);
}

/**
 * Decode, validate and describe a picture for an instance. With `local`, an instance that has a
 * reranker also gets the picture's local features (`analysis.local`) in that form.
 * @throws IMAGE_MISSING, IMAGE_* from decoding, REGION_INVALID, CATEGORY_INVALID, PARAM_INVALID
 */
export async function describePicture(ctx: EngineContext, instance: Instance, input: PictureInput, local?: 'database' | 'query'): Promise<Picture> {
  if (!input.bytes) throw new TusouError('IMAGE_MISSING');
  const crop = validateBool('Crop', input.crop, true);
  const givenCategory = input.categoryId === undefined || input.categoryId === null || input.categoryId === ''
    ? undefined : validateCategory(instance.serviceType, input.categoryId);
  const t0 = performance.now();
  const decoded = await decodeImage(input.bytes, ctx.options.image);
  const decodeMs = performance.now() - t0;
  const region = regionOf(input.region, decoded.width, decoded.height);
  const analysis = await ctx.vision.analyse(decoded, {
    descriptor: instance.descriptor, detect: crop && !region, region, predictCategory: instance.serviceType === 'product',
    ...(local && instance.reranker ? { local: { reranker: instance.reranker, form: local } } : {}),
  });
  if (instance.serviceType !== 'product') {
    return { decoded, analysis, givenCategory, categoryId: OTHER_CATEGORY, categoryKnown: false, decodeMs };
  }
  const categoryId = givenCategory ?? analysis.categoryId ?? OTHER_CATEGORY;
  return { decoded, analysis, givenCategory, categoryId, categoryKnown: givenCategory !== undefined || analysis.categoryId !== undefined, decodeMs };
}
