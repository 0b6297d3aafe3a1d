// The pool of vision worker threads. Model inference never runs on the caller's thread, so the
// HTTP event loop keeps serving; a crashed worker fails only its own tasks and is replaced. The
// queue in front of the workers is bounded in length and in waiting time, so an overload is
// answered at once with SERVER_BUSY and a Retry-After estimate instead of piling up.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TusouError, type ErrorCode } from '../domain/index.js';
import type { Pixels } from './feature-extractor.js';
import { transferables, type TaskResult, type VisionTask, type WireError, type WorkerReply, type WorkerRequest } from './protocol.js';

export interface VisionPoolOptions {
  /** Worker threads (default: the number of cores). Each holds its own copy of the models. */
  size?: number;
  /** Most same-descriptor extractions a worker takes at once when work is queued (default 4). */
  batchMax?: number;
  /** The worker entry module (default: `worker.ts`/`worker.js` beside this file). */
  workerUrl?: URL;
  /**
   * A worker that has not answered a request after this long is stopped and replaced, and the
   * request fails (default 60 s: generous, since a worker's first task also loads its models).
   */
  taskTimeoutMs?: number;
  /** Handed to every worker at start (`workerData`): where registered user models live. */
  workerData?: { modelsDir?: string };
  /** Most tasks waiting for a worker; a task beyond it fails at once with SERVER_BUSY (default: unbounded). */
  maxQueued?: number;
  /** A task that waited this long for a worker fails with SERVER_BUSY (default: no limit). */
  maxWaitMs?: number;
}

/** What the pool is doing, for metrics. */
export interface PoolStats {
  queued: number;
  busy: number;
  workers: number;
  /** Tasks refused by the queue bounds since the pool started. */
  rejected: number;
}

interface Pending {
  task: VisionTask;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Fires when the task waited too long in the queue. */
  waitTimer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  /** The tasks of the request it is running, by request id. */
  running?: { id: number; tasks: Pending[]; timer: NodeJS.Timeout; startedAt: number };
  /** Why the worker ended, when it did not end by itself. */
  lastError?: Error;
}

// Under tsx (tests, benches) the sources are .ts and a worker needs the tsx loader too.
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function toError(e: WireError): Error {
  if ('code' in e) return new TusouError(e.code as ErrorCode, e.details as never);
  return new TusouError('VISION_WORKER_FAILED', { reason: e.message.replace(/\s+/g, ' ').slice(0, 200) });
}

/** Move the pixels' memory to the worker when they own it; copy otherwise (a view into a bigger buffer). */
function owned(p: Pixels): Pixels {
  const d = p.data;
  if (d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return p;
  return { ...p, data: d.slice() };
}

/** A fixed-size pool of vision workers, started on first use. */
export class VisionPool {
  readonly size: number;
  private readonly batchMax: number;
  private readonly workerUrl: URL;
  private readonly taskTimeoutMs: number;
  private readonly workerData: VisionPoolOptions['workerData'];
  private readonly maxQueued: number;
  private readonly maxWaitMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Moving average of how long a worker takes per request, for Retry-After estimates. */
  private serviceMs = 200;
  /** Workers that died with work in hand (for health checks and tests). */
  crashes = 0;
  /** Tasks refused because the queue was full or they waited too long. */
  rejected = 0;

  constructor(opts: VisionPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? availableParallelism());
    this.batchMax = Math.max(1, opts.batchMax ?? 4);
    this.workerUrl = opts.workerUrl ?? new URL(`./worker${EXT}`, import.meta.url);
    this.taskTimeoutMs = opts.taskTimeoutMs ?? 60_000;
    this.workerData = opts.workerData;
    this.maxQueued = opts.maxQueued ?? Infinity;
    this.maxWaitMs = opts.maxWaitMs ?? Infinity;
  }

  /** Seconds until a worker is likely free for a new task: the queue ahead of it at the recent pace. */
  private retryAfterS(): number {
    const batches = Math.ceil(this.queue.length / this.batchMax);
    return Math.min(60, Math.max(1, Math.ceil((this.serviceMs * (batches + 1)) / this.size / 1000)));
  }

  private busyError(reason: string): TusouError {
    this.rejected++;
    return new TusouError('SERVER_BUSY', { reason, retryAfterS: this.retryAfterS() });
  }

  /**
   * Run a task in a worker. The task's pixels are moved to the worker: the caller must not use
   * them afterwards. `admitted`: the task continues a request whose earlier tasks were admitted
   * (a search's verifications after its descriptor): it is queued even when the queue is full,
   * so a request is refused at its start, not halfway through.
   * @throws VISION_WORKER_FAILED when the worker crashed or the model failed; catalogue errors
   *   raised inside the worker keep their code; SERVER_BUSY when the queue is full or the task
   *   waited longer than maxWaitMs
   */
  run<T extends VisionTask>(task: T, opts: { admitted?: boolean } = {}): Promise<TaskResult<T>> {
    if (this.closed) return Promise.reject(new TusouError('VISION_WORKER_FAILED', { reason: 'the vision pool is closed' }));
    const idle = [...this.slots].some((s) => !s.running) || this.slots.size < this.size;
    if (!idle && !opts.admitted && this.queue.length >= this.maxQueued) {
      return Promise.reject(this.busyError(`${this.queue.length} vision tasks are waiting for ${this.size} workers`));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { task: 'pixels' in task ? { ...task, pixels: owned(task.pixels) } : task, resolve: resolve as (v: unknown) => void, reject };
      if (Number.isFinite(this.maxWaitMs)) {
        pending.waitTimer = setTimeout(() => {
          const i = this.queue.indexOf(pending);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(this.busyError(`a vision task waited ${this.maxWaitMs} ms for a worker`));
        }, this.maxWaitMs);
        pending.waitTimer.unref();
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queue length, busy and started workers, refusals. */
  stats(): PoolStats {
    return { queued: this.queue.length, busy: [...this.slots].filter((s) => s.running).length, workers: this.slots.size, rejected: this.rejected };
  }

  /**
   * Start every worker and run `tasks` (model-loading samples) in each, so the first real request
   * does not pay for loading models. Resolves when every worker answered (failures included: a
   * worker that cannot load a model fails real tasks the same way).
   */
  async warm(makeTasks: () => VisionTask[]): Promise<void> {
    const runs: Promise<unknown>[] = [];
    while (!this.closed && this.slots.size < this.size) {
      const tasks = makeTasks();
      if (tasks.length === 0) return;
      const slot = this.spawn();
      const pendings = tasks.map((task) => {
        let p!: Pending;
        runs.push(new Promise((resolve) => { p = { task, resolve, reject: resolve }; }));
        return p;
      });
      this.send(slot, pendings);
    }
    await Promise.all(runs);
  }

  /** Stop every worker; running and queued tasks fail with VISION_WORKER_FAILED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = () => new TusouError('VISION_WORKER_FAILED', { reason: 'the vision pool was closed' });
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.waitTimer);
      p.reject(err());
    }
    const slots = [...this.slots];
    this.slots.clear();
    for (const s of slots) {
      if (s.running) clearTimeout(s.running.timer);
      for (const p of s.running?.tasks ?? []) p.reject(err());
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    // Workers inherit the process's flags, except one that only fits a main script (`node
    // --input-type=module -e …` would make every worker fail to start).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = this.workerUrl.pathname.endsWith('.ts')
      // Node 20 does not apply `--import tsx` from execArgv to a worker's entry module, so the
      // worker registers tsx itself before importing the TypeScript entry.
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(this.workerUrl.href)}); });`, { eval: true, execArgv, workerData: this.workerData })
      : new Worker(this.workerUrl, { execArgv, workerData: this.workerData });
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (err) => { slot.lastError = err; });
    worker.on('exit', (code) => this.onExit(slot, code));
    // Idle workers must not keep the process alive (a CLI command ends when its work is done).
    worker.unref();
    this.slots.add(slot);
    return slot;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = [...this.slots].find((s) => !s.running);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      const head = this.queue.shift()!;
      const tasks = [head];
      if (head.task.op === 'extract') {
        const descriptor = head.task.descriptor;
        for (let i = 0; i < this.queue.length && tasks.length < this.batchMax;) {
          const t = this.queue[i].task;
          if (t.op === 'extract' && t.descriptor === descriptor) tasks.push(...this.queue.splice(i, 1));
          else i++;
        }
      }
      for (const p of tasks) clearTimeout(p.waitTimer);
      this.send(slot, tasks);
    }
  }

  /** Hand a request to an idle worker, with the deadline after which it is replaced. */
  private send(slot: Slot, tasks: Pending[]): void {
    const req: WorkerRequest = { id: this.nextId++, tasks: tasks.map((p) => p.task) };
    const timer = setTimeout(() => {
      slot.lastError = new Error(`it did not answer within ${this.taskTimeoutMs} ms`);
      void slot.worker.terminate();
    }, this.taskTimeoutMs);
    timer.unref();
    slot.running = { id: req.id, tasks, timer, startedAt: performance.now() };
    slot.worker.ref();
    slot.worker.postMessage(req, transferables(req.tasks));
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    const running = slot.running;
    if (!running || running.id !== reply.id) return;
    clearTimeout(running.timer);
    this.serviceMs = 0.8 * this.serviceMs + 0.2 * (performance.now() - running.startedAt);
    slot.running = undefined;
    slot.worker.unref();
    running.tasks.forEach((p, i) => {
      const r = reply.results[i];
      if (!r) p.reject(new TusouError('VISION_WORKER_FAILED', { reason: 'the worker returned no result' }));
      else if (r.ok) p.resolve(r.value);
      else p.reject(toError(r.error));
    });
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    if (!this.slots.delete(slot)) return;
    if (slot.running) clearTimeout(slot.running.timer);
    const tasks = slot.running?.tasks ?? [];
    if (tasks.length > 0) this.crashes++;
    const reason = slot.lastError
      ? `the vision worker was stopped: ${slot.lastError.message.replace(/\s+/g, ' ').slice(0, 160)}`
      : `the vision worker exited with code ${code}`;
    for (const p of tasks) p.reject(new TusouError('VISION_WORKER_FAILED', { reason }));
    // A replacement starts when the next task needs it (dispatch spawns up to `size`).
    this.dispatch();
  }
}
