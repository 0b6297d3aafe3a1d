// What both k-NN benchmarks (bench/core.ts, bench/knn.ts) measure the same way: three filter
// cases, and the planner's search timed over a set of queries with recall@10 against a ground truth.

import { parseFilter, type Instance } from '../../src/domain/index.js';
import { nearest, type PlannerParts } from '../../src/engine/index.js';
import { percentile } from './metrics.js';

/** No filter, 10 % and 1 % of the images, on `int_attr = i % 100` (i: the image's 0-based index). */
export const FILTER_CASES: readonly { name: string; filter?: string; keep: (i: number) => boolean }[] = [
  { name: 'no filter', keep: () => true },
  { name: '10 % filter', filter: 'int_attr < 10', keep: (i) => i % 100 < 10 },
  { name: '1 % filter', filter: 'int_attr = 7', keep: (i) => i % 100 === 7 },
];

export interface TimedSearches {
  p50Ms: number;
  p95Ms: number;
  recallAt10: number;
  /** The planner's path (of the last query). */
  path: string;
  /** How long each ground-truth search took (an exact-scan baseline when `truth` scans). */
  truthMs: number[];
}

/** Search every query (k = 10) through the planner, timed; recall@10 against `truth(q)`, the exact top 10, timed apart. */
export async function timeSearches(
  parts: PlannerParts, instance: Instance, queries: readonly Float32Array[], filter: string | undefined, truth: (q: Float32Array) => Set<number>,
): Promise<TimedSearches> {
  const selection = filter ? { filter: parseFilter(filter) } : {};
  const times: number[] = [];
  const truthMs: number[] = [];
  let found = 0;
  let path = '';
  for (const q of queries) {
    const t = performance.now();
    const res = await nearest(parts, instance, q, selection, 10);
    times.push(performance.now() - t);
    path = res.path;
    const te = performance.now();
    const exact = truth(q);
    truthMs.push(performance.now() - te);
    found += res.hits.filter((h) => exact.has(h.label)).length;
  }
  return { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), recallAt10: found / (queries.length * 10), path, truthMs };
}
