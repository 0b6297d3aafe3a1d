// The ingestion queue in the shared PostgreSQL, on pg-boss: jobs are rows, fetched with SKIP
// LOCKED by workers on any node; a job whose worker dies is failed by pg-boss's maintenance after
// its timeout and delivered again, up to the retry limit.

import PgBoss from 'pg-boss';
import type { IngestJob, JobAttempt, JobQueue } from '../job-queue.js';
import type { PgConnection } from './driver.js';
import { translate } from './pg-errors.js';

const QUEUE = 'tusou-ingest';

export interface PgQueueOptions {
  /** A job running longer than this is taken as lost and delivered again. */
  jobTimeoutS: number;
  /** Deliveries after the first. */
  retries?: number;
}

export class PgQueue implements JobQueue {
  private constructor(private readonly boss: PgBoss, private readonly schema: string, private readonly opts: PgQueueOptions) {}

  /** Start pg-boss in `<schema>_boss` (`pgboss` for the public schema), creating its tables once. */
  static async open(conn: PgConnection, opts: PgQueueOptions, onError: (err: unknown) => void = () => undefined): Promise<PgQueue> {
    const schema = conn.schema === 'public' ? 'pgboss' : `${conn.schema}_boss`;
    const boss = new PgBoss({
      connectionString: conn.connectionString,
      schema,
      max: 3,
      application_name: 'tusou-queue',
      // Expired (lost) jobs are found by maintenance: run it often enough for the timeout to mean something.
      maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(opts.jobTimeoutS / 2))),
      // Finished jobs carry their picture: archive them soon and drop the archive within the hour.
      archiveCompletedAfterSeconds: 60,
      archiveFailedAfterSeconds: 24 * 3600,
      deleteAfterSeconds: 3600,
      schedule: false,
    });
    boss.on('error', onError);
    try {
      await boss.start();
      if (!(await boss.getQueue(QUEUE))) {
        await boss.createQueue(QUEUE, { name: QUEUE, retryLimit: opts.retries ?? 3, retryDelay: 1, expireInSeconds: opts.jobTimeoutS });
      }
    } catch (err) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      translate(err);
    }
    return new PgQueue(boss, schema, opts);
  }

  async send(jobs: IngestJob[]): Promise<string[]> {
    const ids = jobs.map(() => crypto.randomUUID());
    try {
      await this.boss.insert(jobs.map((data, i) => ({
        id: ids[i], name: QUEUE, data, retryLimit: this.opts.retries ?? 3, retryDelay: 1, expireInSeconds: this.opts.jobTimeoutS,
      })));
    } catch (err) {
      translate(err);
    }
    return ids;
  }

  async work(concurrency: number, handler: (job: IngestJob, attempt: JobAttempt) => Promise<void>): Promise<() => Promise<void>> {
    const ids: string[] = [];
    const running = new Set<Promise<void>>();
    let stopping = false;
    for (let i = 0; i < Math.max(1, concurrency); i++) {
      const id: string = await this.boss.work<IngestJob>(QUEUE, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        // Fetched while stopping: hand it back (failed now, delivered again to another worker).
        if (stopping) throw new Error('this worker is stopping');
        const run = handler(job.data, { last: job.retryCount >= job.retryLimit });
        running.add(run);
        try {
          await run;
        } finally {
          running.delete(run);
          // pg-boss waits out the polling interval after each job unless notified: with a job just
          // done, more are likely queued, so fetch the next at once (bench/multi-node.ts: 2.0 → 13 jobs/s, one worker).
          this.boss.notifyWorker(id);
        }
      });
      ids.push(id);
    }
    return async () => {
      stopping = true;
      // pg-boss's offWork does not wait for a running handler; this does.
      for (const id of ids) await this.boss.offWork({ id }).catch(() => undefined);
      await Promise.allSettled([...running]);
    };
  }

  async unfinished(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    try {
      const db = this.boss.getDb() as PgBoss.Db;
      const { rows } = await db.executeSql(`SELECT count(*)::int AS n FROM ${this.schema}.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state IN ('created', 'retry', 'active')`, [QUEUE, ids]);
      return Number(rows[0].n);
    } catch (err) {
      return translate(err);
    }
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
