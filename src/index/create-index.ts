// Build an empty vector index (the inner index of a collection) from a spec without projection.

import { FlatIndex } from './flat-index.js';
import { HnswIndex } from './hnsw-index.js';
import { parseIndexSpec } from './spec.js';
import type { IndexShape, VectorIndex } from './vector-index.js';

/** An empty index for a spec and shape (projection keys are ignored: see Collection). */
export function createIndex(spec: string, shape: IndexShape): VectorIndex {
  const parsed = parseIndexSpec(spec);
  return parsed.kind === 'hnsw' ? HnswIndex.create(shape, { ...parsed, proj: 0 }) : new FlatIndex(shape);
}
