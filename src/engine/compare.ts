// CompareSimilarByImage: the similarity score of two pictures under an instance's descriptor
// (on a face instance: of their main faces, with the calibrated face score).

import { kernelFor } from '../index/index.js';
import { getExtractor } from '../vision/index.js';
import type { EngineContext } from './context.js';
import { describePicture, type Picture, type PictureInput } from './picture.js';
import { similarity } from './score.js';

export interface CompareResult {
  score: number;
  distance: number;
  first: Picture['analysis'];
  second: Picture['analysis'];
}

/**
 * Compare two pictures (each with its own crop/region options) under the instance's descriptor
 * and metric. Score 1 means identical.
 * @throws INSTANCE_NOT_FOUND, IMAGE_*, REGION_INVALID
 */
export async function comparePictures(ctx: EngineContext, instanceName: string, a: PictureInput, b: PictureInput): Promise<CompareResult> {
  const instance = await ctx.instance(instanceName);
  const [pa, pb] = await Promise.all([describePicture(ctx, instance, a), describePicture(ctx, instance, b)]);
  const e = getExtractor(instance.descriptor);
  const distance = kernelFor(instance.metric, e.kind)(pa.analysis.vector, pb.analysis.vector);
  return { score: similarity(instance, e, distance), distance, first: pa.analysis, second: pb.analysis };
}
