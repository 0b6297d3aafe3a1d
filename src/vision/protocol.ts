// The messages between the vision pool (main thread) and its workers. Pixels and vectors travel
// as transferred ArrayBuffers; errors travel as `{ code, details }` or a plain message.

import type { Vector } from '../domain/index.js';
import type { DetectOutput } from './detectors/centernet.js';
import type { FaceOutput } from './detectors/faces.js';
import type { Pixels } from './feature-extractor.js';

/** One unit of work for a vision worker. */
export type VisionTask =
  | { op: 'detect'; pixels: Pixels }
  | { op: 'extract'; descriptor: string; pixels: Pixels }
  | { op: 'faces'; pixels: Pixels }
  | { op: 'embed-text'; descriptor: string; text: string }
  /** A reranker's local features of a prepared (grey) picture. */
  | { op: 'local'; reranker: string; pixels: Pixels; form: 'database' | 'query' }
  /** Verify a query's local features against candidates': one verdict per candidate. */
  | { op: 'verify'; reranker: string; query: Uint8Array; candidates: { blob: Uint8Array; mirror: boolean }[] };

/** A candidate's verification: its confidence and, when any, its inlier keypoints (x,y pairs in its feature picture). */
export interface Verdict {
  confidence: number;
  points?: Float32Array;
}

/** The result of a task, by its op. */
export type TaskResult<T extends VisionTask = VisionTask> = T extends { op: 'detect' } ? DetectOutput : T extends { op: 'faces' } ? FaceOutput : T extends { op: 'verify' } ? Verdict[] : Vector;

/** A batch of tasks sent to one worker. */
export interface WorkerRequest {
  id: number;
  tasks: VisionTask[];
}

/** An error as it crosses the thread boundary: a catalogue code with its details, or a bug's message. */
export type WireError = { code: string; details: unknown } | { message: string };

/** The answer to a WorkerRequest: one result per task, in order. */
export interface WorkerReply {
  id: number;
  results: ({ ok: true; value: DetectOutput | FaceOutput | Verdict[] | Vector } | { ok: false; error: WireError })[];
}

/** The buffers of a message that can be moved instead of copied. */
export function transferables(values: readonly unknown[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => {
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  };
  for (const v of values) {
    if (ArrayBuffer.isView(v)) add(v);
    else if (v && typeof v === 'object') {
      const o = v as { pixels?: Pixels; backbone?: Float32Array; vectors?: Float32Array };
      if (o.pixels) add(o.pixels.data);
      if (o.backbone) add(o.backbone);
      if (o.vectors) add(o.vectors);
    }
  }
  return [...out];
}
