// A tiny CLIP-shaped model, built by the tests themselves (no download): the file layout of a
// CLIP ONNX export (onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json,
// tokenizer_config.json, preprocessor_config.json). It is not accurate, only shaped like the real
// thing, with embeddings simple enough to predict:
// - image: pixel_values [N,3,S,S] → channel means → ×W (3×4) → image_embeds [N,4]; with mean and
//   std 0.5, a pure red picture embeds as (1,−1,−1,0);
// - text: input_ids, attention_mask [N,L] int64 → word vectors (red = (1,−1,−1,0), green, blue
//   likewise; other words 0) summed over the unmasked tokens → text_embeds [N,4];
// - tokenizer.json: a lower-casing WordPiece vocabulary with [CLS] … [SEP].

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** Embedding size of the tiny model. */
export const TINY_DIM = 4;
/** Input size in px of its image encoder. */
export const TINY_PX = 32;

/** Words with a colour vector; every other word (and the special tokens) embeds as zero. */
export const TINY_WORDS: Readonly<Record<string, readonly number[]>> = {
  red: [1, -1, -1, 0],
  green: [-1, 1, -1, 0],
  blue: [-1, -1, 1, 0],
};
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'red', 'green', 'blue', 'a', 'photo', 'of', 'shoe', 'cup'];

const floats = (name: string, dims: number[], data: number[]) =>
  onnx.TensorProto.create({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(Float32Array.from(data).buffer) });
const int64s = (name: string, dims: number[], data: number[]) => onnx.TensorProto.create({ name, dims, dataType: T.INT64, int64Data: data });
const value = (name: string, type: number, dims: (number | string)[]) => onnx.ValueInfoProto.create({
  name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => onnx.NodeProto.create({ opType, input, output, attribute });
const model = (graph: object) => onnx.ModelProto.encode(onnx.ModelProto.create({
  irVersion: 7, opsetImport: [{ domain: '', version: 13 }], producerName: 'tusou-tests', graph: onnx.GraphProto.create(graph),
})).finish();

/** The image encoder's bytes; `dim` lets a test build a mismatched pair. */
export function tinyVisionModel(dim = TINY_DIM): Uint8Array {
  const w: number[] = [];
  for (let c = 0; c < 3; c++) for (let j = 0; j < dim; j++) w.push(c === j ? 1 : 0);
  return model({
    name: 'tiny-vision',
    input: [value('pixel_values', T.FLOAT, ['batch', 3, TINY_PX, TINY_PX])],
    output: [value('image_embeds', T.FLOAT, ['batch', dim])],
    initializer: [floats('W', [3, dim], w)],
    node: [
      node('GlobalAveragePool', ['pixel_values'], ['pooled']),
      node('Flatten', ['pooled'], ['flat']),
      node('MatMul', ['flat', 'W'], ['image_embeds']),
    ],
  });
}

/** The text encoder's bytes. */
export function tinyTextModel(): Uint8Array {
  const table = VOCAB.flatMap((word) => [...(TINY_WORDS[word] ?? [0, 0, 0, 0])]);
  return model({
    name: 'tiny-text',
    input: [value('input_ids', T.INT64, ['batch', 'sequence']), value('attention_mask', T.INT64, ['batch', 'sequence'])],
    output: [value('text_embeds', T.FLOAT, ['batch', TINY_DIM])],
    initializer: [floats('E', [VOCAB.length, TINY_DIM], table), int64s('axis2', [1], [2]), int64s('axis1', [1], [1])],
    node: [
      node('Gather', ['E', 'input_ids'], ['words']),
      node('Cast', ['attention_mask'], ['maskf'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }]),
      node('Unsqueeze', ['maskf', 'axis2'], ['mask3']),
      node('Mul', ['words', 'mask3'], ['masked']),
      node('ReduceSum', ['masked', 'axis1'], ['text_embeds'], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
    ],
  });
}

/** A WordPiece tokenizer.json in the Hugging Face format. */
export function tinyTokenizer(): object {
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])) },
  };
}

/** Write the whole folder, as a CLIP ONNX export lays it out, and return its path. */
export function writeTinyClip(dir: string, opts: { visionDim?: number; withoutTextModel?: boolean } = {}): string {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', 'vision_model.onnx'), tinyVisionModel(opts.visionDim));
  if (!opts.withoutTextModel) writeFileSync(join(dir, 'onnx', 'text_model.onnx'), tinyTextModel());
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizer()));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: 77, cls_token: '[CLS]', sep_token: '[SEP]', unk_token: '[UNK]', pad_token: '[PAD]' }));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ crop_size: { height: TINY_PX, width: TINY_PX }, size: { shortest_edge: TINY_PX }, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }));
  return dir;
}
