// What a vision worker does with a request: detection and descriptors, on its own single-threaded
// tfjs wasm backend. Models load on the first task that needs them and stay loaded.

import type { MessagePort } from 'node:worker_threads';
import { isTusouError, type Vector } from '../domain/index.js';
import { detectObjects, type DetectOutput } from './detectors/centernet.js';
import { detectFaces, type FaceOutput } from './detectors/faces.js';
import { transferables, type Verdict, type VisionTask, type WireError, type WorkerReply, type WorkerRequest } from './protocol.js';
import { getReranker } from './local/rerankers.js';
import { getExtractor } from './registry.js';

function wire(err: unknown): WireError {
  if (isTusouError(err)) return { code: err.code, details: err.details };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** Run one batch of tasks; same-descriptor extractions go through the model together. */
export async function runTasks(tasks: readonly VisionTask[]): Promise<WorkerReply['results']> {
  const first = tasks[0];
  if (tasks.length > 1 && first.op === 'extract' && tasks.every((t) => t.op === 'extract' && t.descriptor === first.descriptor)) {
    const extractor = getExtractor(first.descriptor);
    if (extractor.extractBatch) {
      try {
        const vectors = await extractor.extractBatch(tasks.flatMap((t) => (t.op === 'extract' ? [t.pixels] : [])));
        return vectors.map((value) => ({ ok: true as const, value }));
      } catch {
        // One bad input fails the whole batch; run them one by one so only it fails.
      }
    }
  }
  const results: WorkerReply['results'] = [];
  for (const t of tasks) {
    try {
      const value = await runOne(t);
      results.push({ ok: true, value });
    } catch (err) {
      results.push({ ok: false, error: wire(err) });
    }
  }
  return results;
}

async function runOne(t: VisionTask): Promise<DetectOutput | FaceOutput | Verdict[] | Vector> {
  switch (t.op) {
    case 'detect': return detectObjects(t.pixels);
    case 'faces': return detectFaces(t.pixels);
    case 'extract': return getExtractor(t.descriptor).extract(t.pixels);
    case 'local': return getReranker(t.reranker).describePrepared(t.pixels, t.form);
    case 'verify': {
      const reranker = getReranker(t.reranker);
      const out: Verdict[] = [];
      for (const c of t.candidates) {
        const { confidence, points } = await reranker.verify(t.query, c.blob, c.mirror);
        out.push(confidence > 0 && points ? { confidence, points } : { confidence });
      }
      return out;
    }
    case 'embed-text': {
      const e = getExtractor(t.descriptor);
      if (!e.embedText) throw new Error(`descriptor ${t.descriptor} cannot embed text`);
      return e.embedText(t.text);
    }
  }
}

/** Answer requests on `port` with `run` until the port closes. */
export function serve(port: MessagePort, run: (tasks: readonly VisionTask[]) => Promise<WorkerReply['results']> = runTasks): void {
  // Requests are handled one at a time, in order: the wasm backend is single-threaded anyway.
  let chain = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      const results = await run(req.tasks);
      const reply: WorkerReply = { id: req.id, results };
      port.postMessage(reply, transferables(results.map((r) => (r.ok ? r.value : undefined))));
    });
  });
}
