// Public surface of the index layer: the VectorIndex contract, its implementations, specs,
// kernels and snapshots.
export type { VectorIndex, IndexShape, LabelFilter, Hit } from './vector-index.js';
export { FlatIndex } from './flat-index.js';
export { HnswIndex } from './hnsw-index.js';
export { kernelFor, type Kernel } from './kernels.js';
export { TopK } from './top-k.js';
export { parseIndexSpec, formatIndexSpec, validateIndexSpec, defaultIndexSpec, supportsHnsw, HNSW_DEFAULTS, PROJECTION_DEFAULTS, type IndexSpec } from './spec.js';
export { saveSnapshot, loadSnapshot, deleteSnapshot, type SnapshotFacts, type SnapshotOrigin } from './snapshot.js';
export { Collection, type Attributes, type ShortlistPath, type SnapshotFiles } from './collection.js';
export { NeighbourTable, type Neighbour } from './neighbour-table.js';
export { AttributeTable } from './attribute-table.js';
export { randomProjection, type Projection } from './projection.js';
export { createIndex } from './create-index.js';
export { PartsIndex, MAX_PARTS, splitParts, partsKernel, nearestPart } from './parts-index.js';
export { mergeTopK, partitionOf } from './merge-top-k.js';
