// Models the user provides (CLIP-style ONNX exports), kept under `<data dir>/models/<name>/` with a
// `tusou-model.json` manifest, and known to the registry as descriptors `clip:NAME@VERSION`.
// Nothing here downloads anything, except `pullModel`, which the user runs explicitly.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TusouError } from '../domain/index.js';
import {
  clipDescriptorId, clipExtractor, embeddingRow, openSession, openTokenizer, pixelValues, textFeeds, tokenIds, type ClipManifest,
} from './descriptors/onnx-clip.js';
import type { FeatureExtractor } from './feature-extractor.js';
import type { ExtractorSource } from './registry.js';

const MANIFEST = 'tusou-model.json';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

// The layouts of common CLIP ONNX exports (e.g. Xenova/clip-vit-base-patch32: onnx/*.onnx +
// tokenizer files at the top), full precision first.
const IMAGE_CANDIDATES = ['onnx/vision_model.onnx', 'vision_model.onnx', 'onnx/vision_model_quantized.onnx', 'vision_model_quantized.onnx', 'image_model.onnx'];
const TEXT_CANDIDATES = ['onnx/text_model.onnx', 'text_model.onnx', 'onnx/text_model_quantized.onnx', 'text_model_quantized.onnx'];
/** The files `pullModel` fetches (the optional ones may be missing upstream). */
export const PULL_FILES = ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'config.json'];

// OpenAI CLIP's preprocessing, used when the folder has no preprocessor_config.json.
const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/** A registered model as listed to people. */
export interface UserModelInfo {
  name: string;
  version: number;
  descriptor: string;
  dim: number;
  imageSize: number;
  source: string;
  addedAt: number;
}

export interface AddModelOptions {
  /** Image encoder file, relative to the folder (default: the first of the usual export names). */
  imageModel?: string;
  textModel?: string;
  /** Replace a model of the same name: its files are swapped and its version bumped. */
  replace?: boolean;
  now?: number;
}

function validName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TusouError('MODEL_INVALID', { name: String(name).slice(0, 60), reason: 'a model name is 1..40 of [A-Za-z0-9_-], starting with a letter or digit' });
  }
  return name;
}

function readManifest(dir: string): ClipManifest | undefined {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  const m = JSON.parse(readFileSync(file, 'utf8')) as ClipManifest;
  return m.format === 'tusou-model' && m.formatVersion === 1 && m.kind === 'clip' ? m : undefined;
}

function pick(dir: string, given: string | undefined, candidates: readonly string[], what: string, name: string): string {
  if (given !== undefined) {
    if (!existsSync(join(dir, given))) throw new TusouError('MODEL_INVALID', { name, reason: `${what} ${given} is not in ${dir}` });
    return given;
  }
  const found = candidates.find((c) => existsSync(join(dir, c)));
  if (!found) throw new TusouError('MODEL_INVALID', { name, reason: `no ${what} in ${dir} (looked for ${candidates.join(', ')})` });
  return found;
}

/** Mean, std and input size from `preprocessor_config.json`, CLIP's defaults otherwise. */
function preprocessing(dir: string): { size: number; mean: [number, number, number]; std: [number, number, number] } {
  const file = join(dir, 'preprocessor_config.json');
  if (!existsSync(file)) return { size: 224, mean: CLIP_MEAN, std: CLIP_STD };
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    crop_size?: number | { height?: number; width?: number }; size?: number | { shortest_edge?: number; height?: number };
    image_mean?: number[]; image_std?: number[];
  };
  const sizeOf = (v: typeof p.crop_size | typeof p.size) => (typeof v === 'number' ? v : v && ('height' in v ? v.height : 'shortest_edge' in v ? v.shortest_edge : undefined));
  const size = sizeOf(p.crop_size) ?? sizeOf(p.size) ?? 224;
  const three = (v: number[] | undefined, d: [number, number, number]) => (v?.length === 3 ? [v[0], v[1], v[2]] as [number, number, number] : d);
  return { size, mean: three(p.image_mean, CLIP_MEAN), std: three(p.image_std, CLIP_STD) };
}

/**
 * Load both encoders once and run them on a grey picture and a short text, learning the input and
 * output names and the embedding dimension; they must agree.
 */
async function probe(dir: string, name: string, files: { image: string; text: string; tokenizer: string; tokenizerConfig?: string }) {
  const pre = preprocessing(dir);
  try {
    const image = await openSession(join(dir, files.image));
    const input = image.inputNames.find((n) => n === 'pixel_values') ?? image.inputNames[0];
    if (image.inputNames.length !== 1) throw new Error(`the image encoder must take one input (pixel_values); it takes ${image.inputNames.join(', ')}`);
    const { Tensor } = await import('onnxruntime-node');
    const grey = { data: new Uint8Array(pre.size * pre.size * 3).fill(128), width: pre.size, height: pre.size, channels: 3 };
    const imageOut = await image.run({ [input]: new Tensor('float32', pixelValues(grey, pre.mean, pre.std), [1, 3, pre.size, pre.size]) });
    const imageOutput = pickOutput(imageOut, 'image_embeds');
    const text = await openSession(join(dir, files.text));
    const tokenizer = await openTokenizer(join(dir, files.tokenizer), files.tokenizerConfig && join(dir, files.tokenizerConfig));
    const maxTokens = 77;
    const textOut = await text.run(await textFeeds(text, tokenIds(tokenizer, 'a photo of a cat', maxTokens)));
    const textOutput = pickOutput(textOut, 'text_embeds');
    const dim = embeddingRow(imageOut[imageOutput], imageOutput).length;
    const textDim = embeddingRow(textOut[textOutput], textOutput).length;
    if (dim !== textDim) throw new Error(`the image encoder gives ${dim}-d vectors and the text encoder ${textDim}-d; they must share one space`);
    await Promise.all([image.release(), text.release()]);
    return { dim, image: { file: files.image, input, output: imageOutput, ...pre }, text: { file: files.text, output: textOutput, maxTokens } };
  } catch (err) {
    if (err instanceof TusouError) throw err;
    // Translate: onnxruntime and tokenizer failures become one catalogue error naming the model.
    throw new TusouError('MODEL_INVALID', { name, reason: (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300) }, { cause: err });
  }
}

/** The embedding output: the conventional name when present, else the only [1, D] output. */
function pickOutput(out: Record<string, { dims: readonly number[] }>, preferred: string): string {
  if (out[preferred]) return preferred;
  const flat = Object.entries(out).filter(([, t]) => t.dims.length === 2 && t.dims[0] === 1);
  if (flat.length !== 1) throw new Error(`cannot tell the embedding output (${preferred} or a single [1, D] output); outputs: ${Object.entries(out).map(([k, t]) => `${k} [${t.dims.join(', ')}]`).join(', ')}`);
  return flat[0][0];
}

/** The registered user models of one folder; an ExtractorSource for the registry. */
export class UserModels implements ExtractorSource {
  private manifests = new Map<string, ClipManifest>();
  private readonly extractors = new Map<string, FeatureExtractor>();

  constructor(readonly dir: string) {
    this.refresh();
  }

  /** Re-read the manifests (a model added by another process appears). */
  refresh(): void {
    this.manifests = new Map();
    if (!existsSync(this.dir)) return;
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.endsWith('.tmp') || entry.name.endsWith('.old')) continue;
      const m = readManifest(join(this.dir, entry.name));
      if (m && m.name === entry.name) this.manifests.set(m.name, m);
    }
  }

  list(): readonly FeatureExtractor[] {
    return [...this.manifests.values()].map((m) => this.extractorOf(m));
  }

  find(id: string): FeatureExtractor | undefined {
    const match = /^clip:([^@]+)@(\d+)$/.exec(id);
    if (!match) return undefined;
    let m = this.manifests.get(match[1]);
    if (!m || clipDescriptorId(m) !== id) {
      this.refresh();
      m = this.manifests.get(match[1]);
    }
    return m && clipDescriptorId(m) === id ? this.extractorOf(m) : undefined;
  }

  /** What is registered, for listing. */
  info(): UserModelInfo[] {
    return [...this.manifests.values()].map((m) => ({
      name: m.name, version: m.version, descriptor: clipDescriptorId(m), dim: m.dim, imageSize: m.image.size, source: m.source, addedAt: m.addedAt,
    }));
  }

  private extractorOf(m: ClipManifest): FeatureExtractor {
    const id = clipDescriptorId(m);
    let e = this.extractors.get(id);
    if (!e) {
      e = clipExtractor(join(this.dir, m.name), m);
      this.extractors.set(id, e);
    }
    return e;
  }

  /**
   * Register the model in `source` under `name`: copy its files into the models folder, check that
   * both encoders load and agree, write the manifest. The files are copied, so the data directory
   * holds everything it needs.
   * @throws MODEL_INVALID, MODEL_EXISTS
   */
  async add(name: unknown, source: string, opts: AddModelOptions = {}): Promise<UserModelInfo> {
    const n = validName(name);
    if (!existsSync(source)) throw new TusouError('MODEL_INVALID', { name: n, reason: `folder ${source} does not exist` });
    this.refresh();
    const old = this.manifests.get(n);
    if (old && !opts.replace) throw new TusouError('MODEL_EXISTS', { name: n });
    const files = {
      image: pick(source, opts.imageModel, IMAGE_CANDIDATES, 'image encoder', n),
      text: pick(source, opts.textModel, TEXT_CANDIDATES, 'text encoder', n),
      tokenizer: pick(source, undefined, ['tokenizer.json'], 'tokenizer.json', n),
      tokenizerConfig: existsSync(join(source, 'tokenizer_config.json')) ? 'tokenizer_config.json' : undefined,
    };
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `${n}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    try {
      for (const f of [files.image, files.text, files.tokenizer, files.tokenizerConfig, 'preprocessor_config.json', 'config.json']) {
        if (f && existsSync(join(source, f))) {
          mkdirSync(dirname(join(tmp, f)), { recursive: true });
          cpSync(join(source, f), join(tmp, f));
          // ONNX models over 2 GB keep weights in side files named by the model; copy those too.
          if (f.endsWith('.onnx') && existsSync(join(source, `${f}_data`))) cpSync(join(source, `${f}_data`), join(tmp, `${f}_data`));
        }
      }
      const probed = await probe(tmp, n, files);
      const manifest: ClipManifest = {
        format: 'tusou-model', formatVersion: 1, kind: 'clip', name: n, version: (old?.version ?? 0) + 1,
        dim: probed.dim, image: probed.image, text: probed.text,
        tokenizer: { file: files.tokenizer, config: files.tokenizerConfig }, addedAt: opts.now ?? Date.now(), source,
      };
      writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
      const target = join(this.dir, n);
      if (existsSync(target)) renameSync(target, `${target}.old`);
      renameSync(tmp, target);
      rmSync(`${target}.old`, { recursive: true, force: true });
      this.refresh();
      return this.info().find((i) => i.name === n)!;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Forget a model and delete its files. Instances that use it need a reindex. @throws MODEL_NOT_FOUND */
  remove(name: string): void {
    this.refresh();
    if (!this.manifests.has(name)) throw new TusouError('MODEL_NOT_FOUND', { name, known: [...this.manifests.keys()].join(', ') || '(none)' });
    rmSync(join(this.dir, name), { recursive: true, force: true });
    this.refresh();
  }
}

/**
 * Download a model's files (the PULL_FILES layout) from the Hugging Face hub (`repo` such as
 * `Xenova/clip-vit-base-patch32`) or from a base URL, into `into`. This is the only code in tusou
 * that fetches a model, and it runs only when the user asks (`tusou models pull`).
 */
export async function pullModel(from: string, into: string, opts: { revision?: string; fetch?: typeof fetch; log?: (line: string) => void } = {}): Promise<void> {
  const base = /^https?:\/\//.test(from) ? from.replace(/\/+$/, '') : `https://huggingface.co/${from}/resolve/${opts.revision ?? 'main'}`;
  const get = opts.fetch ?? fetch;
  for (const file of PULL_FILES) {
    const url = `${base}/${file}`;
    const res = await get(url, { redirect: 'follow' });
    if (!res.ok || !res.body) {
      if (file.endsWith('.onnx') || file === 'tokenizer.json') throw new TusouError('MODEL_INVALID', { name: basename(from), reason: `${url} answered ${res.status}` });
      opts.log?.(`skipped ${file} (${res.status})`);
      continue;
    }
    mkdirSync(dirname(join(into, file)), { recursive: true });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(join(into, file)));
    opts.log?.(`fetched ${file}`);
  }
}
