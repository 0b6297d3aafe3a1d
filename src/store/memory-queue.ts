// The in-process ingestion queue of a single node (SQLite): jobs wait in memory and run on this
// process's workers. Not durable: a crash loses queued jobs, and the task that sent them is marked
// interrupted on the next start, as every task of a crashed single node is.

import { randomUUID } from 'node:crypto';
import type { IngestJob, JobAttempt, JobQueue } from './job-queue.js';

const RETRIES = 2;

export class MemoryQueue implements JobQueue {
  private readonly queued: { id: string; job: IngestJob; attempt: number }[] = [];
  private readonly open = new Set<string>();
  private readonly wakers = new Set<() => void>();

  async send(jobs: IngestJob[]): Promise<string[]> {
    const ids = jobs.map((job) => {
      const id = randomUUID();
      this.queued.push({ id, job, attempt: 0 });
      this.open.add(id);
      return id;
    });
    for (const wake of this.wakers) wake();
    return ids;
  }

  async work(concurrency: number, handler: (job: IngestJob, attempt: JobAttempt) => Promise<void>): Promise<() => Promise<void>> {
    let stopped = false;
    const sleep = () => new Promise<void>((resolve) => {
      const wake = () => { this.wakers.delete(wake); resolve(); };
      this.wakers.add(wake);
    });
    const loop = async () => {
      while (!stopped) {
        const next = this.queued.shift();
        if (!next) { await sleep(); continue; }
        const last = next.attempt >= RETRIES;
        try {
          await handler(next.job, { last });
          this.open.delete(next.id);
        } catch {
          // Retry for the reason the contract states: a failing handler gets the job again.
          if (last) this.open.delete(next.id);
          else this.queued.push({ ...next, attempt: next.attempt + 1 });
        }
      }
    };
    const loops = Array.from({ length: Math.max(1, concurrency) }, () => loop());
    return async () => {
      stopped = true;
      for (const w of [...this.wakers]) w();
      await Promise.all(loops);
    };
  }

  async unfinished(ids: readonly string[]): Promise<number> {
    return ids.filter((id) => this.open.has(id)).length;
  }

  async close(): Promise<void> {
    for (const w of [...this.wakers]) w();
  }
}
