// Build an empty vector index (the inner index of a collection) from a spec without projection.

import { FlatIndex } from './flat-index.js';
import { HnswIndex } from './hnsw-index.js';
import { PartsIndex } from './parts-index.js';
import { innerIndexSpec, parseIndexSpec } from './spec.js';
import type { IndexShape, VectorIndex } from './vector-index.js';

/**
 * An empty index for a spec and shape (the collection-level keys are ignored: see Collection); a shape
 * with `parts` gets a PartsIndex over it.
 */
export function createIndex(spec: string, shape: IndexShape): VectorIndex {
  const parsed = parseIndexSpec(spec);
  const create = (s: IndexShape) => (parsed.kind === 'hnsw' ? HnswIndex.create(s, innerIndexSpec(parsed)) : new FlatIndex(s));
  return shape.parts ? PartsIndex.over(shape, create) : create(shape);
}
