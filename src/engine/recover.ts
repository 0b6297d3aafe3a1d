// Clean-up after an unclean shutdown (crash, kill -9, power loss): the writes that were cut off
// leave originals no image references (the original is written before its row) and temporary
// files. Nothing half-written is ever visible; this only reclaims the space.

import type { EngineContext } from './context.js';

/** What start-up removed after an unclean shutdown. */
export interface RecoveryReport {
  /** Originals no image references (an add or delete was interrupted). */
  orphanedOriginals: number;
  /** Temporary files of interrupted writes. */
  leftovers: number;
  ms: number;
}

/** Remove what interrupted writes left behind; runs before the engine serves anything. */
export async function recoverAfterCrash(ctx: EngineContext): Promise<RecoveryReport> {
  const t0 = performance.now();
  const leftovers = await ctx.blobs.removeLeftovers();
  let orphanedOriginals = 0;
  for await (const sha of ctx.blobs.list()) {
    if (await ctx.store.isBlobReferenced(sha)) continue;
    await ctx.blobs.delete(sha);
    await ctx.thumbnails.deleteAll(sha);
    orphanedOriginals++;
  }
  return { orphanedOriginals, leftovers, ms: Math.round(performance.now() - t0) };
}
