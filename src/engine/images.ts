// Reading, updating and deleting stored images.

import {
  TusouError, parseFilter, validateAttributes, validateCategory, validatePicName, validateProductId,
  type AttributeInput, type ImageAttributes, type ImageKey, type ImageRecord,
} from '../domain/index.js';
import type { EngineContext } from './context.js';
import { removeBlobs } from './instances.js';

export interface KeyInput {
  productId: unknown;
  picName: unknown;
}

function keyOf(input: KeyInput): ImageKey {
  return { productId: validateProductId(input.productId), picName: validatePicName(input.picName) };
}

/** The image with this key, or undefined. @throws INSTANCE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_* */
export async function findImage(ctx: EngineContext, instanceName: string, key: KeyInput): Promise<ImageRecord | undefined> {
  const instance = await ctx.instance(instanceName);
  return ctx.store.getImage(instance.name, keyOf(key));
}

/** The image with this key. @throws IMAGE_NOT_FOUND and the errors of findImage */
export async function getImage(ctx: EngineContext, instanceName: string, key: KeyInput): Promise<ImageRecord> {
  const image = await findImage(ctx, instanceName, key);
  if (!image) throw new TusouError('IMAGE_NOT_FOUND', { productId: String(key.productId), picName: String(key.picName) });
  return image;
}

/** The kept original bytes of an image. @throws IMAGE_NOT_FOUND */
export async function getOriginal(ctx: EngineContext, instanceName: string, key: KeyInput): Promise<{ image: ImageRecord; bytes: Buffer }> {
  const image = await getImage(ctx, instanceName, key);
  const bytes = await ctx.blobs.get(image.sha256);
  if (!bytes) throw new Error(`original ${image.sha256} of ${image.productId}/${image.picName} is missing`);
  return { image, bytes };
}

/**
 * Change the metadata of an image; only the given fields change.
 * @throws IMAGE_NOT_FOUND, ATTR_*, CUSTOM_CONTENT_INVALID, CATEGORY_INVALID
 */
export async function updateImage(ctx: EngineContext, instanceName: string, key: KeyInput, patch: AttributeInput): Promise<ImageRecord> {
  const instance = await ctx.instance(instanceName);
  const k = keyOf(key);
  const changes: Partial<ImageAttributes> = validateAttributes(patch);
  if (patch.categoryId !== undefined && patch.categoryId !== null && patch.categoryId !== '') {
    changes.categoryId = validateCategory(instance.serviceType, patch.categoryId);
  }
  const image = await ctx.store.updateImage(instance.name, k, changes, ctx.now());
  if (!image) throw new TusouError('IMAGE_NOT_FOUND', k);
  await ctx.follower.settle();
  return image;
}

export type DeleteInput =
  | { productId: unknown; picName?: unknown }
  | { filter: unknown };

/**
 * Delete one image (productId + picName), every image of a product (productId alone), or every
 * image matching a filter. Deleting what does not exist succeeds with nothing deleted.
 * @throws INSTANCE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_INVALID, FILTER_*
 */
export async function deleteImages(ctx: EngineContext, instanceName: string, input: DeleteInput): Promise<ImageKey[]> {
  const instance = await ctx.instance(instanceName);
  let selection: { productId?: string; picName?: string; filter?: ReturnType<typeof parseFilter> };
  if ('filter' in input) {
    if (typeof input.filter !== 'string' || input.filter.trim() === '') throw new TusouError('PARAM_MISSING', { field: 'Filter' });
    selection = { filter: parseFilter(input.filter) };
  } else {
    selection = { productId: validateProductId(input.productId) };
    if (input.picName !== undefined && input.picName !== null && input.picName !== '') selection.picName = validatePicName(input.picName);
  }
  // Refuse up front on a read-only data directory rather than delete rows whose originals stay.
  await ctx.blobs.assertWritable();
  const { deleted, orphanedBlobs } = await ctx.store.deleteImages(instance.name, selection);
  if (deleted.length) await ctx.follower.settle();
  await removeBlobs(ctx, orphanedBlobs);
  return deleted.map((d) => ({ productId: d.productId, picName: d.picName }));
}

/** Every image of an instance in insertion order, in pages (for export). @throws INSTANCE_NOT_FOUND */
export async function* exportImages(ctx: EngineContext, instanceName: string, pageSize = 1000): AsyncIterable<ImageRecord> {
  const instance = await ctx.instance(instanceName);
  let after = 0;
  for (;;) {
    const page = await ctx.store.listImages(instance.name, {}, { afterLabel: after, limit: pageSize });
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1].label;
  }
}
