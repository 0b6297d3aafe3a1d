// Public surface of the index layer: the VectorIndex contract, its implementations, specs,
// kernels and snapshots.
export type { VectorIndex, IndexShape, LabelFilter, Hit } from './vector-index.js';
export { FlatIndex } from './flat-index.js';
export { HnswIndex } from './hnsw-index.js';
export { kernelFor, type Kernel } from './kernels.js';
export { TopK } from './top-k.js';
export { mergeTopK, partitionOf } from './merge-top-k.js';
export { parseIndexSpec, formatIndexSpec, validateIndexSpec, defaultIndexSpec, supportsHnsw, HNSW_DEFAULTS, type IndexSpec } from './spec.js';
export { createIndex, saveSnapshot, loadSnapshot, deleteSnapshot, type SnapshotFacts, type SnapshotOrigin } from './snapshot.js';
