// Shared shape of the CNN descriptors: pixels in, a batch tensor through a model, a pooled and
// L2-normalised vector out. They run in the vision worker pool (`pooled: true`), where tfjs lives.

import type * as TF from '@tensorflow/tfjs';
import type { Vector } from '../../domain/index.js';
import type { ExtractorInput, FeatureExtractor, Pixels } from '../feature-extractor.js';
import type { Tf } from '../tf/runtime.js';

/** What a CNN descriptor declares: its identity, input size, batch limit and model embedding. */
export interface DeepSpec {
  id: string;
  dim: number;
  description: string;
  inputPx: number;
  /** Largest batch the model takes (CenterNet's graph is fixed at 1). */
  maxBatch: number;
  /** The model's embedding of a float batch N×S×S×3 in 0–255, as N×dim (before normalisation). */
  embed(): Promise<{ tf: Tf; run: (x: TF.Tensor4D) => TF.Tensor2D }>;
}

/**
 * Generalised-mean (GeM) pooling of a N×H×W×C map to N×C: (mean x^p)^(1/p) over positions, with
 * values clamped to a small positive floor (hard-swish maps have small negative values).
 */
export function gemPool(tf: Tf, map: TF.Tensor4D, p = 3): TF.Tensor2D {
  return tf.pow(tf.mean(tf.pow(tf.maximum(map, 1e-6), p), [1, 2]), 1 / p) as TF.Tensor2D;
}

/** Scale each row of a N×dim tensor to unit L2 norm. */
export function l2rows(tf: Tf, y: TF.Tensor2D): TF.Tensor2D {
  return tf.div(y, tf.maximum(tf.norm(y, 'euclidean', 1, true), 1e-12)) as TF.Tensor2D;
}

/** A FeatureExtractor over a tfjs model, with batched extraction. */
export function deepExtractor(spec: DeepSpec): FeatureExtractor {
  const input: ExtractorInput = { width: spec.inputPx, height: spec.inputPx, fit: 'fill' };
  const extractBatch = async (batch: readonly Pixels[]): Promise<Vector[]> => {
    const { tf, run } = await spec.embed();
    const out: Vector[] = [];
    for (let i = 0; i < batch.length; i += spec.maxBatch) {
      const part = batch.slice(i, i + spec.maxBatch);
      for (const p of part) {
        if (p.width !== spec.inputPx || p.height !== spec.inputPx || p.channels !== 3) {
          throw new Error(`${spec.id} needs ${spec.inputPx}x${spec.inputPx}x3 pixels; got ${p.width}x${p.height}x${p.channels}`);
        }
      }
      const data = new Uint8Array(part.length * spec.inputPx * spec.inputPx * 3);
      part.forEach((p, j) => data.set(p.data, j * p.data.length));
      const y = tf.tidy(() => l2rows(tf, run(tf.tensor4d(data, [part.length, spec.inputPx, spec.inputPx, 3], 'int32').toFloat())));
      const flat = await y.data();
      y.dispose();
      for (let j = 0; j < part.length; j++) out.push(Float32Array.from(flat.subarray(j * spec.dim, (j + 1) * spec.dim)));
    }
    return out;
  };
  return pooledExtractor({ id: spec.id, dim: spec.dim, input, description: spec.description, extractBatch });
}

/**
 * A float cosine descriptor that runs in the vision pool, from its batch function (`extract` is a
 * batch of one): the CNNs and the descriptors fused from them.
 */
export function pooledExtractor(spec: Pick<FeatureExtractor, 'id' | 'dim' | 'input' | 'description'> & {
  extractBatch(batch: readonly Pixels[]): Promise<Vector[]>;
}): FeatureExtractor {
  return {
    ...spec,
    kind: 'float',
    metric: 'cosine',
    pooled: true,
    async extract(pixels) {
      return (await spec.extractBatch([pixels]))[0];
    },
  };
}
