// The TensorFlow.js runtime of a vision worker: the wasm backend (SIMD, one thread per worker:
// the pthread build cannot start in Node) and loaders that read weights shipped inside npm
// packages from disk. Nothing here touches the network.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

/** The tfjs namespace, as loaded by `tfReady`. */
export type Tf = typeof TF;

const require = createRequire(import.meta.url);

/** The installed directory of a package, even when its `exports` hides `package.json`. */
export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`package ${name} has no package.json above ${require.resolve(name)}`);
    dir = up;
  }
}

let ready: Promise<Tf> | undefined;

/** tfjs on the wasm backend, initialised once per thread. */
export function tfReady(): Promise<Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + sep);
    // Threads need blob: workers, which Node refuses; the pool runs one single-threaded backend per worker.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start');
    await tf.ready();
    return tf;
  })();
  return ready;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
}

function artifacts(json: ModelJson, shards: Buffer[]): TF.io.ModelArtifacts {
  const all = Buffer.concat(shards);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

/** A tfjs model stored as `model.json` + binary shards (e.g. `@vladmandic/human/models/*`). */
export function fileArtifacts(jsonPath: string): TF.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  const dir = dirname(jsonPath);
  return artifacts(json, json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
}

/**
 * A model bundled by nsfwjs: `model.min.js` (UMD exporting model.json) and `*.min.js` shards
 * (UMD exporting base64 weights) under `nsfwjs/dist/models/<name>/`.
 */
export function nsfwjsArtifacts(name: 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3'): TF.io.ModelArtifacts {
  const dir = join(packageDir('nsfwjs'), 'dist', 'models', name);
  const json = require(join(dir, 'model.min.js')) as ModelJson;
  return artifacts(json, json.weightsManifest.flatMap((g) => g.paths.map((p) => Buffer.from(require(join(dir, `${p}.min.js`)) as string, 'base64'))));
}

/** A graph model loaded from artifacts in memory. */
export async function loadGraphModel(tf: Tf, a: TF.io.ModelArtifacts): Promise<TF.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(a));
}

/** A layers (Keras) model loaded from artifacts in memory. */
export async function loadLayersModel(tf: Tf, a: TF.io.ModelArtifacts): Promise<TF.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(a));
}
