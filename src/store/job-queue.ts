// The ingestion queue contract: jobs that add one picture each, run by workers on any node.
// Implementations: memory-queue.ts (one process, the SQLite default) and postgres/pg-queue.ts
// (pg-boss in the shared PostgreSQL: durable, a job whose worker dies is retried elsewhere).

/** One picture to add. Adding is idempotent by (productId, picName), so a retried job duplicates nothing. */
export interface IngestJob {
  /** The batch it belongs to: `task:<id>` (IncreaseInstance) or `import:<uuid>` (CLI import). */
  batch: string;
  /** Its position in the batch (line number, file index); outcomes are keyed by it. */
  item: number;
  instance: string;
  /** AddImage's fields besides the picture (productId, picName, attributes…). */
  fields: Record<string, unknown>;
  /** The picture, base64: a job carries its bytes, so a worker needs no shared folder. */
  picture: string;
  /** What the batch's report says about this item (its file, or its meta line's fields). */
  detail: Record<string, unknown>;
}

/** A worker's view of one delivery of a job. */
export interface JobAttempt {
  /** True on the last delivery: a handler that throws now gives the job up for good. */
  last: boolean;
}

export interface JobQueue {
  /** Enqueue jobs durably; resolves with their ids once stored. */
  send(jobs: IngestJob[]): Promise<string[]>;
  /**
   * Run `handler` on jobs, `concurrency` at a time in this process, until the returned function is
   * called (it waits for running jobs). A handler that throws has its job delivered again later,
   * up to the retry limit; a job whose process dies is delivered again after its timeout.
   */
  work(concurrency: number, handler: (job: IngestJob, attempt: JobAttempt) => Promise<void>): Promise<() => Promise<void>>;
  /** How many of these jobs are still queued, running or waiting for a retry. */
  unfinished(ids: readonly string[]): Promise<number>;
  close(): Promise<void>;
}
