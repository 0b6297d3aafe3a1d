// Distributed ingestion: a batch (an `increment.meta` task or a folder import) becomes one queue
// job per picture, run by workers on any node; each job records its outcome in the store, keyed by
// (batch, item), so a job retried after its worker died counts once and — AddImage replacing by
// (ProductId, PicName) — adds its image once.

import { TusouError, isTusouError, type ErrorCode } from '../domain/index.js';
import type { IngestJob, IngestOutcome, JobAttempt, JobQueue } from '../store/index.js';
import { addImage, type AddImageInput } from './add-image.js';
import type { EngineContext } from './context.js';

/** Failures worth another delivery: the next attempt (maybe on another node) may succeed. */
const TRANSIENT = new Set<ErrorCode>(['STORE_UNAVAILABLE', 'VISION_WORKER_FAILED', 'INSTANCE_BUSY']);

/** What a failed item's report line says: the catalogue and Alibaba codes and the message. */
export function failureDetail(err: TusouError): Record<string, unknown> {
  return { Code: err.aliyun.code, ErrorCode: err.code, Msg: err.message };
}

/**
 * A worker's handling of one job: add the picture, record the outcome. Expected failures are
 * recorded as the item's outcome; transient ones and bugs are thrown (the queue delivers the job
 * again), except on the last delivery, when the failure is recorded instead.
 */
export async function runIngestJob(ctx: EngineContext, job: IngestJob, attempt: JobAttempt): Promise<void> {
  let outcome: IngestOutcome;
  try {
    const res = await addImage(ctx, job.instance, { ...job.fields, bytes: Buffer.from(job.picture, 'base64') } as AddImageInput);
    outcome = { item: job.item, status: res.replaced ? 'replaced' : 'added', detail: job.detail };
  } catch (err) {
    const expected = isTusouError(err) && !TRANSIENT.has(err.code);
    if (!expected && !attempt.last) throw err;
    const e = isTusouError(err) ? err : new TusouError('INTERNAL');
    outcome = { item: job.item, status: 'failed', detail: { ...job.detail, ...failureDetail(e) } };
  }
  await ctx.store.recordOutcome(job.batch, outcome);
}

export interface BatchOptions {
  /** Most jobs of this batch queued or running at once (each carries its picture). */
  window: number;
  /** After this long without a finished job, ask the queue whether any is still alive. */
  stallMs: number;
  signal?: AbortSignal;
  /** How often to look at the outcomes while waiting. */
  pollMs?: number;
}

/** One batch being sent: keeps at most `window` jobs in flight and never two of one key at once. */
export class IngestBatch {
  private sentIds: string[] = [];
  private keys = new Set<string>();
  private sent = 0;
  private direct = 0;
  /** Jobs the queue gave up without an outcome (counted as failed). */
  lost = 0;

  constructor(private readonly ctx: EngineContext, private readonly queue: JobQueue, readonly batch: string, private readonly opts: BatchOptions) {}

  /**
   * Queue one picture. A second picture of a key already in flight waits for the batch to drain
   * first: the later line of a meta file must win, as it does when lines run one by one.
   */
  async add(item: number, instance: string, key: string, fields: Record<string, unknown>, bytes: Buffer, detail: Record<string, unknown>): Promise<void> {
    if (this.keys.has(key)) await this.drain();
    while (this.sent - (await this.finished()) >= this.opts.window) await this.pause();
    const [id] = await this.queue.send([{ batch: this.batch, item, instance, fields, picture: bytes.toString('base64'), detail }]);
    this.sentIds.push(id);
    this.keys.add(key);
    this.sent++;
  }

  /** Record an item's outcome decided by the sender itself (a bad line, a DELETE). */
  async record(outcome: IngestOutcome): Promise<void> {
    await this.ctx.store.recordOutcome(this.batch, outcome);
    this.direct++;
  }

  /** Wait until every job sent so far has an outcome (or is known lost). */
  async drain(): Promise<void> {
    let last = -1;
    let since = Date.now();
    for (;;) {
      const done = await this.finished();
      if (done >= this.sent) break;
      if (done !== last) { last = done; since = Date.now(); }
      if (Date.now() - since > this.opts.stallMs && (await this.queue.unfinished(this.sentIds)) === 0) {
        // Every job ended, yet some have no outcome: the queue gave them up (their workers kept dying).
        this.lost += this.sent - done;
        break;
      }
      await this.pause();
    }
    this.sentIds = [];
    this.keys.clear();
  }

  /** Outcome counts of the batch so far. */
  counts(): Promise<Record<IngestOutcome['status'], number>> {
    return this.ctx.store.batchCounts(this.batch);
  }

  private async finished(): Promise<number> {
    const c = await this.counts();
    return c.added + c.replaced + c.deleted + c.failed - this.direct + this.lost;
  }

  private async pause(): Promise<void> {
    if (this.opts.signal?.aborted) throw new TusouError('TASK_INTERRUPTED', { reason: 'the server is shutting down' });
    await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 100));
  }
}

export interface ImportPicture {
  /** Where it came from, for the report. */
  file: string;
  productId: string;
  picName: string;
  bytes: Buffer;
}

export interface ImportOutcome {
  added: number;
  replaced: number;
  failed: { file: string; code: string; message: string }[];
}

/**
 * Add pictures through the queue (workers on any node run them) and wait for every outcome.
 * @throws INSTANCE_NOT_FOUND
 */
export async function importPictures(ctx: EngineContext, queue: JobQueue, instanceName: string, pictures: AsyncIterable<ImportPicture>, opts: { window: number; stallMs: number; onSent?: () => void }): Promise<ImportOutcome> {
  const instance = await ctx.instance(instanceName);
  const batch = new IngestBatch(ctx, queue, `import:${crypto.randomUUID()}`, { window: opts.window, stallMs: opts.stallMs });
  try {
    let item = 0;
    for await (const p of pictures) {
      await batch.add(item++, instance.name, `${p.productId}\u0000${p.picName}`, { productId: p.productId, picName: p.picName }, p.bytes, { file: p.file });
      opts.onSent?.();
    }
    await batch.drain();
    const counts = await batch.counts();
    const failed = (await ctx.store.batchFailures(batch.batch)).map((o) => ({ file: String(o.detail.file), code: String(o.detail.ErrorCode), message: String(o.detail.Msg) }));
    if (batch.lost) failed.push({ file: '', code: 'INTERNAL', message: `${batch.lost} pictures were given up by the queue after repeated worker failures` });
    return { added: counts.added, replaced: counts.replaced, failed };
  } finally {
    await ctx.store.deleteBatch(batch.batch);
  }
}
