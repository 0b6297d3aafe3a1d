// The VectorIndex contract: k-NN over labelled vectors with the metric fixed at construction.
// A filter is a search parameter (faiss IDSelector), checked during the search, never after.

import type { Metric, Vector, VectorKind } from '../domain/index.js';
import type { Hit } from './top-k.js';

export type { Hit } from './top-k.js';

/** Which vectors an index holds and how it compares them. */
export interface IndexShape {
  metric: Metric;
  kind: VectorKind;
  /** Floats per vector, or bits per binary code. */
  dim: number;
  /** Each label holds several `dim`-sized vectors (one per face), ranked by its nearest (parts-index.ts). */
  parts?: boolean;
}

/** A predicate over labels; only labels it accepts are returned. */
export type LabelFilter = (label: number) => boolean;

export interface VectorIndex extends IndexShape {
  /** The spec string this index was built from, e.g. `hnsw:m=16,efc=100,ef=100`. */
  readonly spec: string;
  /** Number of live vectors. */
  readonly size: number;
  /** Add a vector under a new label. Labels are unique; adding an existing label replaces its vector. */
  add(label: number, vector: Vector): void;
  /** Remove a label; returns false when it was not there. */
  remove(label: number): boolean;
  has(label: number): boolean;
  /** Every label present. */
  labels(): Iterable<number>;
  /**
   * The k nearest live vectors accepted by `filter`, nearest first, as (label, distance) with
   * distances in metric units (cosine: 1 − cos; l2: Euclidean; hamming: bits). Fewer than k
   * when fewer are accepted.
   */
  search(query: Vector, k: number, filter?: LabelFilter): Hit[];
  /** Write the index payload to `file` (synchronously, so no write can interleave). */
  writePayload(file: string): void;
}
