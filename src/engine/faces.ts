// Face instances: which face of each hit matched. An image holds one vector per face (main first,
// in the order of its regions); a hit ranks by its nearest face, whose box is returned with it.

import type { Instance, Vector } from '../domain/index.js';
import { kernelFor, nearestPart } from '../index/index.js';
import { getExtractor } from '../vision/index.js';
import type { EngineContext } from './context.js';
import type { SearchHit } from './search.js';

/** The hits with `region` set to the box of their face nearest to the query vector. */
export async function matchedFaces(ctx: EngineContext, instance: Instance, query: Vector, hits: SearchHit[]): Promise<SearchHit[]> {
  const e = getExtractor(instance.descriptor);
  const kernel = kernelFor(instance.metric, e.kind);
  const stored = await ctx.store.getVectors(instance.descriptor, hits.map((h) => h.image.label));
  return hits.map((h) => {
    const v = stored.get(h.image.label);
    if (!v) return h;
    const region = h.image.regions[nearestPart(kernel, e.dim, query, v).part]?.box;
    return region ? { ...h, region } : h;
  });
}
