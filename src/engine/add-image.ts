// AddImage: validate, describe, keep the original, write the record durably, then wait until the
// change follower has indexed it. The store write comes first: the index follows the store.

import {
  DEFAULT_ATTRIBUTES, validateAttributes, validatePicName, validateProductId,
  type AttributeInput, type ImageRecord, type Vector,
} from '../domain/index.js';
import type { EngineContext } from './context.js';
import { removeBlobs } from './instances.js';
import { describePicture, type PictureInput } from './picture.js';

export interface AddImageInput extends PictureInput, Omit<AttributeInput, 'categoryId'> {
  productId: unknown;
  picName: unknown;
}

export interface AddImageResult {
  image: ImageRecord;
  /** True when an image with the same key was replaced. */
  replaced: boolean;
}

/**
 * Add an image, replacing any image with the same (productId, picName). Resolves once durable.
 * @throws INSTANCE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_*, ATTR_*, CUSTOM_CONTENT_INVALID,
 *   CATEGORY_INVALID, REGION_INVALID, IMAGE_*, INSTANCE_FULL, STORE_UNAVAILABLE
 */
export async function addImage(ctx: EngineContext, instanceName: string, input: AddImageInput): Promise<AddImageResult> {
  const instance = await ctx.instance(instanceName);
  const productId = validateProductId(input.productId);
  const picName = validatePicName(input.picName);
  const attrs = { ...DEFAULT_ATTRIBUTES, ...validateAttributes(input) };
  const existing = await ctx.store.getImage(instance.name, { productId, picName });
  const pic = await describePicture(ctx, instance, input, 'database');
  const { decoded, analysis } = pic;
  const now = ctx.now();
  // Pinned before it is put, so a delete elsewhere that orphans the same bytes cannot remove them.
  const unpin = await ctx.blobs.pin(decoded.sha256);
  try {
    await ctx.blobs.put(decoded.bytes, decoded.sha256);
    const record = {
      productId, picName, ...attrs, categoryId: pic.categoryId,
      region: analysis.region, regions: analysis.regions,
      width: decoded.width, height: decoded.height, format: decoded.format,
      sha256: decoded.sha256, bytes: decoded.bytes.length,
      createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    // Multi-part descriptors (faces) store every part; the others their one vector.
    const vectors: Record<string, Vector> = { [instance.descriptor]: analysis.parts ?? analysis.vector };
    if (instance.reranker && analysis.local) vectors[instance.reranker] = analysis.local;
    const target = ctx.reindexing.get(instance.name);
    if (target && target !== instance.descriptor) {
      // A reindex is moving this instance to `target`: store that vector too, so nothing is missed.
      const next = await ctx.vision.analyse(decoded, { descriptor: target, detect: false, region: analysis.region });
      vectors[target] = next.parts ?? next.vector;
    }
    const put = await ctx.store.putImage(instance.name, record, vectors, instance.capacity);
    await ctx.follower.settle();
    const image = { ...record, label: put.label };
    if (put.orphanedBlob) await removeBlobs(ctx, [put.orphanedBlob]);
    return { image, replaced: put.replaced !== undefined };
  } finally {
    await unpin();
  }
}
