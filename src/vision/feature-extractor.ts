// The FeatureExtractor contract: a pure function from pixels to a vector, with a versioned id.

import type { Metric, RawImage, Vector, VectorKind } from '../domain/index.js';

/** How an extractor wants its input cut from the image. */
export interface ExtractorInput {
  width: number;
  height: number;
  fit: 'fill' | 'inside';
  grey?: boolean;
}

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
  extract(pixels: RawImage & { channels: number }): Vector | Promise<Vector>;
}
