// Reindex: describe every image of an instance again from its kept original — with a new
// descriptor, metric or index spec — then switch the instance over in one step. Vectors of two
// descriptors are never mixed in one index.

import { TusouError, type ImageKey, type Instance, type Vector } from '../domain/index.js';
import { decodeImage } from '../imaging/index.js';
import type { EngineContext } from './context.js';
import { resolveIndexing } from './instances.js';

export interface ReindexInput {
  descriptor?: unknown;
  metric?: unknown;
  index?: unknown;
}

export interface ReindexResult {
  instance: Pick<Instance, 'name' | 'descriptor' | 'metric' | 'index'>;
  images: number;
  /** Images that could not be re-described (missing or undecodable original); they leave the index. */
  failed: (ImageKey & { reason: string })[];
}

/** Describe the images with these labels with `descriptor`, from their kept originals; adds failures to `failed`. */
export async function describeLabels(ctx: EngineContext, instance: string, descriptor: string, labels: number[], result: Pick<ReindexResult, 'failed'>, failed: Set<number>): Promise<void> {
  for (let i = 0; i < labels.length; i += 200) {
    const records = await ctx.store.getImagesByLabel(instance, labels.slice(i, i + 200));
    const batch: [number, Vector][] = [];
    for (const image of records.values()) {
      try {
        const bytes = await ctx.blobs.get(image.sha256);
        if (!bytes) throw new Error('the kept original is missing');
        const decoded = await decodeImage(bytes, { ...ctx.options.image, minPx: 1, maxPx: 65535, maxBytes: Number.MAX_SAFE_INTEGER });
        const analysis = await ctx.vision.analyse(decoded, { descriptor, detect: false, region: image.region });
        batch.push([image.label, analysis.parts ?? analysis.vector]);
      } catch (err) {
        // Translate: one bad original must not stop the whole reindex; it is reported instead.
        failed.add(image.label);
        result.failed.push({ productId: image.productId, picName: image.picName, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    await ctx.store.putVectors(descriptor, batch);
  }
}

/**
 * Reindex an instance. Adds that arrive meanwhile compute both vectors; the switch happens once
 * every image has a vector of the new descriptor.
 * @throws INSTANCE_NOT_FOUND, DESCRIPTOR_UNKNOWN, METRIC_INVALID, INDEX_SPEC_INVALID,
 *   TASK_ALREADY_RUNNING
 */
export async function reindex(ctx: EngineContext, name: string, input: ReindexInput, onProgress?: (done: number, total: number) => void): Promise<ReindexResult> {
  const old = await ctx.instance(name, { anyDescriptor: true });
  const next = resolveIndexing({ descriptor: input.descriptor ?? old.descriptor, metric: input.metric, index: input.index }, old.descriptor, old.serviceType);
  if (ctx.reindexing.has(old.name)) throw new TusouError('TASK_ALREADY_RUNNING', { kind: 'reindex', instance: old.name });
  const total = await ctx.store.countImages(old.name);
  const result: ReindexResult = { instance: { name: old.name, ...next }, images: total, failed: [] };
  ctx.reindexing.set(old.name, next.descriptor);
  try {
    if (next.descriptor !== old.descriptor) {
      const failed = new Set<number>();
      let done = 0;
      // Repeat until no image lacks the new vector: adds that started before the flag was set
      // may have stored only the old one.
      for (let pass = 0; pass < 5; pass++) {
        const missing = (await ctx.store.labelsWithoutVector(old.name, next.descriptor)).filter((l) => !failed.has(l));
        if (missing.length === 0) break;
        await describeLabels(ctx, old.name, next.descriptor, missing, result, failed);
        done += missing.length;
        onProgress?.(Math.min(done, total), total);
      }
    }
    // Build the new index beside the old one, then switch record and index together; changes
    // committed since the build started are replayed onto it before it is installed.
    const updated: Instance = { ...old, ...next };
    const watermark = await ctx.store.lastChange();
    const index = await ctx.indexes.build(updated);
    const expected = ctx.follower.expectAdoption(updated);
    try {
      await ctx.store.updateInstance(old.name, next);
      await ctx.follower.adopt(updated, index, watermark);
    } finally {
      expected();
    }
    await ctx.follower.settle();
    if (next.descriptor !== old.descriptor) await ctx.store.deleteVectors(old.name, old.descriptor);
    return result;
  } finally {
    ctx.reindexing.delete(old.name);
  }
}
