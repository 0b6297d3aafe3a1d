// The FeatureExtractor contract: a pure function from pixels to a vector, with a versioned id.

import type { Metric, RawImage, Vector, VectorKind } from '../domain/index.js';

/** How an extractor wants its input cut from the image. */
export interface ExtractorInput {
  width: number;
  height: number;
  fit: 'fill' | 'inside';
  grey?: boolean;
}

/** Pixels cut for an extractor: row-major, `channels` per pixel (3 = RGB, 1 = grey). */
export type Pixels = RawImage & { channels: number };

/**
 * A descriptor. `extract` is deterministic: the same pixels give the same vector. Float vectors
 * are L2-normalised; binary codes are packed bits (`dim` bits in `dim / 8` bytes).
 */
export interface FeatureExtractor {
  /** Name and version, e.g. `colour-hist-rgb512@1`. Stored with every vector. */
  readonly id: string;
  readonly dim: number;
  readonly kind: VectorKind;
  /** The metric this descriptor is meant for (the instance may pick another valid one). */
  readonly metric: Metric;
  readonly input: ExtractorInput;
  /** One-line description for docs and the API. */
  readonly description: string;
  /**
   * True for descriptors slow enough to block the event loop (CNNs): the Vision facade runs
   * them in the worker pool, which is also the only place their models are loaded.
   */
  readonly pooled?: boolean;
  extract(pixels: Pixels): Vector | Promise<Vector>;
  /** Several inputs at once, same results as `extract` one by one (faster for CNNs). */
  extractBatch?(pixels: readonly Pixels[]): Promise<Vector[]>;
}
