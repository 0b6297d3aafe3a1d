// A CLIP-style descriptor from a user-provided model: an ONNX image encoder and text encoder
// sharing one embedding space, plus a Hugging Face tokenizer. Sessions run in the vision worker
// pool (onnxruntime-node's run is synchronous), created on first use in each worker.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { Vector } from '../../domain/index.js';
import type { FeatureExtractor, Pixels } from '../feature-extractor.js';

/** What `tusou models add` records about a CLIP-style model (the `tusou-model.json` manifest). */
export interface ClipManifest {
  format: 'tusou-model';
  formatVersion: 1;
  kind: 'clip';
  name: string;
  /** Bumped when the files are replaced, so vectors of two versions are never mixed. */
  version: number;
  dim: number;
  image: { file: string; input: string; output: string; size: number; mean: [number, number, number]; std: [number, number, number] };
  text: { file: string; output: string; maxTokens: number };
  tokenizer: { file: string; config?: string };
  addedAt: number;
  source: string;
}

/** The descriptor id of a model version: `clip:NAME@VERSION`. */
export function clipDescriptorId(m: Pick<ClipManifest, 'name' | 'version'>): string {
  return `clip:${m.name}@${m.version}`;
}

type Session = Ort.InferenceSession;
type Tokenizer = import('@huggingface/tokenizers').Tokenizer;

const ort = () => import('onnxruntime-node');

/** An ONNX session on the CPU, one intra-op thread (the pool runs one worker per core). */
export async function openSession(file: string): Promise<Session> {
  const { InferenceSession } = await ort();
  return InferenceSession.create(file, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** A tokenizer from `tokenizer.json` (+ `tokenizer_config.json` when present). */
export async function openTokenizer(file: string, config?: string): Promise<Tokenizer> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  return new Tokenizer(JSON.parse(readFileSync(file, 'utf8')), config ? JSON.parse(readFileSync(config, 'utf8')) : {});
}

/** HWC RGB bytes → NCHW float, rescaled to 0–1 then normalised per channel. */
export function pixelValues(p: Pixels, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = p.width * p.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[c * n + i] = (p.data[i * 3 + c] / 255 - mean[c]) / std[c];
  }
  return out;
}

function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * k);
}

/** Token ids of a text, cut to `max` tokens keeping the last (end-of-text) one. */
export function tokenIds(tokenizer: Tokenizer, text: string, max: number): number[] {
  const ids = tokenizer.encode(text).ids;
  return ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]];
}

/** The feeds a text encoder declares: input_ids plus attention_mask / position_ids / token_type_ids when it asks. */
export async function textFeeds(session: Session, ids: number[]): Promise<Record<string, Ort.Tensor>> {
  const { Tensor } = await ort();
  const n = ids.length;
  const fill = (f: (i: number) => number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));
  const feeds: Record<string, Ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = new Tensor('int64', fill((i) => ids[i]), [1, n]);
    else if (name === 'attention_mask') feeds[name] = new Tensor('int64', fill(() => 1), [1, n]);
    else if (name === 'position_ids') feeds[name] = new Tensor('int64', fill((i) => i), [1, n]);
    else if (name === 'token_type_ids') feeds[name] = new Tensor('int64', fill(() => 0), [1, n]);
    else throw new Error(`the text encoder asks for an input named ${name}; tusou feeds input_ids, attention_mask, position_ids, token_type_ids`);
  }
  return feeds;
}

/** The first row of a [1, D] output as floats. */
export function embeddingRow(t: Ort.Tensor | undefined, name: string): Float32Array {
  if (!t) throw new Error(`the model has no output ${name}`);
  if (t.type !== 'float32' || t.dims.length !== 2 || t.dims[0] !== 1) throw new Error(`output ${name} must be float32 [1, D]; got ${t.type} [${t.dims.join(', ')}]`);
  return Float32Array.from(t.data as Float32Array);
}

/**
 * The FeatureExtractor of a registered model, rooted at its folder. Sessions and tokenizer load on
 * the first `extract` / `embedText` of each thread and stay loaded.
 */
export function clipExtractor(dir: string, m: ClipManifest): FeatureExtractor {
  let image: Promise<Session> | undefined;
  let text: Promise<{ session: Session; tokenizer: Tokenizer }> | undefined;
  // A failed load is retried by the next call instead of failing every later one.
  const retry = <T>(p: Promise<T>, reset: () => void) => { p.catch(reset); return p; };
  const imageSession = () => (image ??= retry(openSession(join(dir, m.image.file)), () => { image = undefined; }));
  const textParts = () => (text ??= retry((async () => ({
    session: await openSession(join(dir, m.text.file)),
    tokenizer: await openTokenizer(join(dir, m.tokenizer.file), m.tokenizer.config && join(dir, m.tokenizer.config)),
  }))(), () => { text = undefined; }));
  return {
    id: clipDescriptorId(m),
    dim: m.dim,
    kind: 'float',
    metric: 'cosine',
    input: { width: m.image.size, height: m.image.size, fit: 'cover' },
    description: `user model ${m.name} v${m.version} (CLIP-style ONNX image + text encoders, ${m.dim}-d, cosine); text queries search by meaning`,
    pooled: true,
    async extract(pixels: Pixels): Promise<Vector> {
      if (pixels.width !== m.image.size || pixels.height !== m.image.size || pixels.channels !== 3) {
        throw new Error(`${clipDescriptorId(m)} needs ${m.image.size}x${m.image.size}x3 pixels; got ${pixels.width}x${pixels.height}x${pixels.channels}`);
      }
      const [session, { Tensor }] = await Promise.all([imageSession(), ort()]);
      const x = new Tensor('float32', pixelValues(pixels, m.image.mean, m.image.std), [1, 3, m.image.size, m.image.size]);
      const out = await session.run({ [m.image.input]: x });
      return l2(embeddingRow(out[m.image.output], m.image.output));
    },
    async embedText(query: string): Promise<Vector> {
      const { session, tokenizer } = await textParts();
      const out = await session.run(await textFeeds(session, tokenIds(tokenizer, query, m.text.maxTokens)));
      return l2(embeddingRow(out[m.text.output], m.text.output));
    },
  };
}
