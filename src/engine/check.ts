// Consistency check of store ↔ index ↔ kept originals, with optional repair.

import type { ImageKey } from '../domain/index.js';
import type { EngineContext } from './context.js';
import { removeBlobs } from './instances.js';
import { linkPending } from './neighbours.js';
import { describeLabels } from './reindex.js';
import { hasExtractor } from '../vision/index.js';

export interface InstanceCheck {
  instance: string;
  images: number;
  indexed: number;
  /** Images the index lacks (repair: added from their stored vectors). */
  missingFromIndex: number;
  /** Index entries the store does not have (repair: removed). */
  extraInIndex: number;
  /** Images without a vector of the instance's descriptor (repair: described again from the original). */
  withoutVector: number;
  /** Images whose kept original is gone: cannot be repaired, only reported. */
  missingOriginals: ImageKey[];
}

export interface CheckReport {
  instances: InstanceCheck[];
  /** Originals no image references (repair: deleted). */
  orphanedOriginals: number;
  ok: boolean;
  repaired: boolean;
}

/** Verify (and with `repair`, fix) every instance and the kept originals. */
export async function check(ctx: EngineContext, opts: { repair: boolean }): Promise<CheckReport> {
  const report: CheckReport = { instances: [], orphanedOriginals: 0, ok: true, repaired: opts.repair };
  const referenced = new Set<string>();
  // Compare against an index that has applied everything committed so far.
  await ctx.follower.settle();
  for (const instance of await ctx.store.listInstances()) {
    if (hasExtractor(instance.descriptor)) await ctx.follower.ensureOpen(instance);
    const labels = new Set(await ctx.store.selectLabels(instance.name, {}));
    const index = ctx.indexes.get(instance.name);
    const missing = [...labels].filter((l) => !index.has(l));
    const extra = [...index.labels()].filter((l) => !labels.has(l));
    const withoutVector = await ctx.store.labelsWithoutVector(instance.name, instance.descriptor);
    const c: InstanceCheck = {
      instance: instance.name, images: labels.size, indexed: index.size,
      missingFromIndex: missing.length, extraInIndex: extra.length, withoutVector: withoutVector.length, missingOriginals: [],
    };
    for (let i = 0; i < labels.size; i += 1000) {
      const records = await ctx.store.getImagesByLabel(instance.name, [...labels].slice(i, i + 1000));
      for (const r of records.values()) {
        referenced.add(r.sha256);
        if (!(await ctx.blobs.has(r.sha256))) c.missingOriginals.push({ productId: r.productId, picName: r.picName });
      }
    }
    if (missing.length || extra.length || withoutVector.length || c.missingOriginals.length) report.ok = false;
    if (opts.repair) {
      if (withoutVector.length) {
        await describeLabels(ctx, instance.name, instance.descriptor, withoutVector, { failed: [] }, new Set());
      }
      // Index repairs go through the follower's turn, like every other index change.
      await ctx.follower.serial(async () => {
        const current = ctx.indexes.get(instance.name);
        for (const l of extra) current.remove(l);
        const absent = [...labels].filter((l) => !current.has(l));
        const [vectors, records] = await Promise.all([ctx.store.getVectors(instance.descriptor, absent), ctx.store.getImagesByLabel(instance.name, absent)]);
        for (const [label, v] of vectors) current.add(label, v, records.get(label));
        await linkPending(ctx.store, instance.descriptor, current);
        ctx.indexes.touched(instance.name, missing.length + extra.length + 1);
        ctx.indexes.snapshot(instance.name);
      });
    }
    report.instances.push(c);
  }
  const orphans: string[] = [];
  for await (const sha of ctx.blobs.list()) if (!referenced.has(sha) && !(await ctx.blobs.isPinned(sha))) orphans.push(sha);
  report.orphanedOriginals = orphans.length;
  if (orphans.length) report.ok = false;
  if (opts.repair) await removeBlobs(ctx, orphans);
  return report;
}
