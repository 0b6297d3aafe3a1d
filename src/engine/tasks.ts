// Background tasks: metadata exports and `increment.meta` batch imports. Each task is a durable
// row in the store (PROCESSING → SUCCESS | FAIL) plus a directory for the files it writes; a task
// a crash interrupted is marked failed on the next start. Transport-free: callers get hooks.

import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  ERRORS, TusouError, isTusouError, shown,
  type IncrementSource, type Task, type TaskCounts, type TaskKind, type TaskPage, type TaskPatch,
} from '../domain/index.js';
import type { EngineContext } from './context.js';
import { IngestBatch, failureDetail } from './ingest.js';
import { deleteImages, exportImages } from './images.js';
import { exportLine, parseMetaLine, type MetaItem } from './meta-file.js';

export interface TaskOptions {
  /** Directory holding one sub-directory per task (`<dir>/<id>/`) for the files it writes. */
  dir: string;
  /** Bucket name → absolute local folder: where IncreaseInstance's BucketName + Path point. */
  buckets: Readonly<Record<string, string>>;
}

/** Called once when a task ends, with the task as stored and any error that was a bug. Must not throw. */
export interface TaskHooks {
  onFinish?(task: Task, unexpected?: unknown): void;
}

export interface IncrementInput {
  bucketName: unknown;
  path: unknown;
  callbackAddress?: unknown;
}

export interface TaskListInput {
  id?: unknown;
  bucketName?: unknown;
  path?: unknown;
  /** 1-based page, default 1. */
  pageNumber?: unknown;
  /** 1..500, default 10. */
  pageSize?: unknown;
}

/** The files a task can serve, by role. */
export type TaskFileRole = keyof Task['files'];

export const META_FILE = 'increment.meta';
const OUTPUT_FILE = 'meta.ndjson';
const ERRORS_FILE = 'errors.ndjson';
const PROGRESS_EVERY = 50;

const emptyCounts = (): TaskCounts => ({ items: 0, added: 0, deleted: 0, failed: 0 });

function intParam(field: string, v: unknown, def: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return def;
  const n = typeof v === 'string' && /^\s*\d{1,18}\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new TusouError('PARAM_INVALID', { field, expected: `an integer in ${min}..${max}`, got: shown(v, 30) });
  }
  return n;
}

function optionalString(field: string, v: unknown, max: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw new TusouError('PARAM_INVALID', { field, expected: `text of at most ${max} characters`, got: shown(v, 40) });
  return v;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The local folder of a bucket path: the path must start with `/`, not end with `/`, and stay
 * inside the bucket's folder (no `..`, no symlink leading out).
 * @throws PATH_INVALID
 */
export async function resolveBucketPath(buckets: TaskOptions['buckets'], bucketName: string, path: string): Promise<{ root: string; folder: string }> {
  const shownPath = `${bucketName}:${path}`;
  const rootDir = Object.hasOwn(buckets, bucketName) ? buckets[bucketName] : undefined;
  if (rootDir === undefined) {
    const known = Object.keys(buckets);
    throw new TusouError('PATH_INVALID', { path: shownPath, reason: `bucket ${bucketName} is not configured (TUSOU_BUCKETS${known.length ? `; known: ${known.join(', ')}` : ' is empty'})` });
  }
  // Path rules of the cloud (aliyun-imagesearch-api.md §3.13): absolute, no trailing slash.
  if (!path.startsWith('/') || path.endsWith('/') || path.includes('\0') || path.includes('\\')) {
    throw new TusouError('PATH_INVALID', { path: shownPath, reason: 'Path must start with / and must not end with /' });
  }
  if (path.split('/').some((part) => part === '..' || part === '.')) {
    throw new TusouError('PATH_INVALID', { path: shownPath, reason: 'Path must not contain . or .. segments' });
  }
  const root = await realpath(rootDir).catch(() => {
    throw new TusouError('PATH_INVALID', { path: shownPath, reason: `the folder of bucket ${bucketName} does not exist` });
  });
  const folder = await realpath(resolve(root, `.${path}`)).catch(() => {
    throw new TusouError('PATH_INVALID', { path: shownPath, reason: 'the folder does not exist' });
  });
  if (!inside(root, folder)) throw new TusouError('PATH_INVALID', { path: shownPath, reason: 'it leads outside the bucket' });
  return { root, folder };
}

/** Read the picture a meta line names: a relative path from the meta file's folder, inside the bucket. */
async function readPicture(root: string, folder: string, picName: unknown, maxBytes: number): Promise<Buffer> {
  if (typeof picName !== 'string' || picName === '') throw new TusouError('PIC_NAME_MISSING');
  if (isAbsolute(picName) || picName.includes('\0') || picName.split(/[/\\]/).includes('..')) {
    throw new TusouError('PATH_INVALID', { path: picName, reason: 'PicName must be a relative path inside the meta file folder' });
  }
  const file = await realpath(join(folder, picName)).catch(() => {
    throw new TusouError('PATH_INVALID', { path: picName, reason: 'no such picture next to increment.meta' });
  });
  // Symlinks may point elsewhere in the bucket (the cloud only requires the same bucket, §4), never out of it.
  if (!inside(root, file)) throw new TusouError('PATH_INVALID', { path: picName, reason: 'it leads outside the bucket' });
  const info = await stat(file);
  if (!info.isFile()) throw new TusouError('PATH_INVALID', { path: picName, reason: 'it is not a file' });
  if (info.size > maxBytes) throw new TusouError('IMAGE_TOO_LARGE', { bytes: info.size, maxBytes });
  return readFile(file);
}

function failure(err: TusouError): Pick<Task, 'error' | 'message'> {
  return { error: { code: err.code, aliyun: err.aliyun.code }, message: err.message };
}

/** Runs and records background tasks; at most one running task per (instance, kind). */
export class TaskRunner {
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly ctx: EngineContext, private readonly opts: TaskOptions) {}

  /** Mark tasks that were PROCESSING when the last process died as failed; returns them. */
  async recover(): Promise<Task[]> {
    const err = new TusouError('TASK_INTERRUPTED', { reason: 'the server stopped while it ran (crash or kill)' });
    return this.ctx.store.failRunningTasks({ code: err.code, aliyun: err.aliyun.code }, err.message, this.ctx.now(), this.ctx.node);
  }

  /**
   * Start exporting an instance's metadata (one JSON object per line, see meta-file.ts).
   * @throws INSTANCE_NOT_FOUND, TASK_ALREADY_RUNNING
   */
  async startExport(instanceName: string, hooks: TaskHooks = {}): Promise<Task> {
    const instance = await this.ctx.instance(instanceName);
    const task = await this.create(instance.name, 'export');
    this.launch(task, hooks, async (signal, dir) => {
      const tmp = join(dir, `${OUTPUT_FILE}.tmp`);
      const fd = await open(tmp, 'w', 0o600);
      let n = 0;
      try {
        let chunk: string[] = [];
        for await (const record of exportImages(this.ctx, instance.name)) {
          if (signal.aborted) throw new TusouError('TASK_INTERRUPTED', { reason: 'the server is shutting down' });
          chunk.push(exportLine(record));
          n++;
          if (chunk.length >= 1000) { await fd.write(`${chunk.join('\n')}\n`); chunk = []; }
        }
        if (chunk.length) await fd.write(`${chunk.join('\n')}\n`);
        await fd.sync();
      } finally {
        await fd.close();
      }
      await rename(tmp, join(dir, OUTPUT_FILE));
      return { status: 'SUCCESS', message: 'success', files: { output: OUTPUT_FILE }, counts: { ...emptyCounts(), items: n } };
    });
    return task;
  }

  /**
   * Start applying `<bucket folder><path>/increment.meta` (aliyun-imagesearch-api.md §4): ADD and
   * DELETE lines with the effect of file order (ADDs run as queue jobs on any node's workers, see
   * ingest.ts). Lines that fail are written to an error file; the task fails only when the file
   * cannot be read or every line failed.
   * @throws INSTANCE_NOT_FOUND, PARAM_MISSING, PARAM_INVALID, PATH_INVALID, TASK_ALREADY_RUNNING
   */
  async startIncrement(instanceName: string, input: IncrementInput, hooks: TaskHooks = {}): Promise<Task> {
    const instance = await this.ctx.instance(instanceName);
    if (typeof input.bucketName !== 'string' || input.bucketName === '') throw new TusouError('PARAM_MISSING', { field: 'BucketName' });
    if (typeof input.path !== 'string' || input.path === '') throw new TusouError('PARAM_MISSING', { field: 'Path' });
    const callbackAddress = optionalString('CallbackAddress', input.callbackAddress, 2048);
    if (callbackAddress !== undefined && !/^https?:\/\/[^\s/]+/i.test(callbackAddress)) {
      throw new TusouError('PARAM_INVALID', { field: 'CallbackAddress', expected: 'an http:// or https:// URL', got: shown(callbackAddress, 60) });
    }
    const { root, folder } = await resolveBucketPath(this.opts.buckets, input.bucketName, input.path);
    const meta = join(folder, META_FILE);
    const info = await stat(meta).catch(() => undefined);
    if (!info?.isFile()) throw new TusouError('PATH_INVALID', { path: `${input.bucketName}:${input.path}`, reason: `there is no ${META_FILE} in this folder` });
    const source: IncrementSource = { bucketName: input.bucketName, path: input.path };
    if (callbackAddress !== undefined) source.callbackAddress = callbackAddress;
    const task = await this.create(instance.name, 'increment', source);
    this.launch(task, hooks, async (signal, dir) => {
      // ADD lines become queue jobs (run by workers on any node); DELETE lines run here once every
      // earlier line has finished, so the file's order holds wherever a line changes the same images.
      const batch = new IngestBatch(this.ctx, this.ctx.queue, `task:${task.id}`, { window: this.ctx.options.ingest?.window ?? 32, stallMs: this.ctx.options.ingest?.stallMs ?? 600_000, signal });
      let items = 0;
      let deleted = 0;
      const counts = async (): Promise<TaskCounts> => {
        const c = await batch.counts();
        return { items, added: c.added + c.replaced, deleted, failed: c.failed + batch.lost };
      };
      try {
        const lines = createInterface({ input: createReadStream(meta, { encoding: 'utf8' }), crlfDelay: Infinity });
        let lineNo = 0;
        for await (const text of lines) {
          lineNo++;
          if (signal.aborted) throw new TusouError('TASK_INTERRUPTED', { reason: 'the server is shutting down' });
          if (text.trim() === '') continue;
          items++;
          let item: MetaItem | undefined;
          try {
            item = parseMetaLine(text, lineNo);
            const { operation, ...fields } = item;
            const detail = { OperationType: operation, ProductId: item.productId, PicName: item.picName };
            if (operation === 'DELETE') {
              await batch.drain();
              const gone = await deleteImages(this.ctx, instance.name, item.picName === undefined ? { productId: item.productId } : { productId: item.productId, picName: item.picName });
              deleted += gone.length;
              await batch.record({ item: lineNo, status: 'deleted', detail });
            } else {
              const bytes = await readPicture(root, folder, item.picName, this.ctx.options.image.maxBytes);
              await batch.add(lineNo, instance.name, `${String(item.productId)}\u0000${String(item.picName)}`, fields, bytes, detail);
            }
          } catch (err) {
            if (!isTusouError(err) || err.code === 'TASK_INTERRUPTED') throw err;
            const what = item ? { OperationType: item.operation, ProductId: item.productId, PicName: item.picName } : { Item: text.slice(0, 200) };
            await batch.record({ item: lineNo, status: 'failed', detail: { ...what, ...failureDetail(err) } });
          }
          if (items % PROGRESS_EVERY === 0) await this.ctx.store.updateTask(task.id, { counts: await counts() }, this.ctx.now());
        }
        await batch.drain();
        const files: Task['files'] = {};
        const failures = await this.ctx.store.batchFailures(batch.batch);
        if (failures.length || batch.lost) {
          const fd = await open(join(dir, ERRORS_FILE), 'w', 0o600);
          try {
            const out = failures.map((f) => JSON.stringify({ Line: f.item, ...f.detail }));
            if (batch.lost) out.push(JSON.stringify({ Code: 'InternalError', ErrorCode: 'INTERNAL', Msg: `${batch.lost} lines were given up by the queue after repeated worker failures` }));
            await fd.write(`${out.join('\n')}\n`);
            await fd.sync();
          } finally {
            await fd.close();
          }
          files.errors = ERRORS_FILE;
        }
        const final = await counts();
        const summary = `${final.items} lines: ${final.added} added, ${final.deleted} deleted, ${final.failed} failed`;
        if (final.failed > 0 && final.failed === final.items) {
          const err = new TusouError('INCREMENT_ALL_FAILED', { failed: final.failed });
          return { status: 'FAIL', ...failure(err), files, counts: final };
        }
        return { status: 'SUCCESS', message: final.failed === 0 ? 'success' : summary, files, counts: final };
      } finally {
        await this.ctx.store.deleteBatch(batch.batch).catch(() => undefined);
      }
    });
    return task;
  }

  /**
   * A page of an instance's tasks of one kind, newest first.
   * @throws INSTANCE_NOT_FOUND, PARAM_INVALID
   */
  async list(instanceName: string, kind: TaskKind, input: TaskListInput): Promise<TaskPage & { pageNumber: number; pageSize: number }> {
    const instance = await this.ctx.instance(instanceName);
    const pageNumber = intParam('PageNumber', input.pageNumber, 1, 1, 1_000_000);
    const pageSize = intParam('PageSize', input.pageSize, 10, 1, 500);
    const id = input.id === undefined || input.id === null || input.id === '' ? undefined : intParam('Id', input.id, 0, 1, Number.MAX_SAFE_INTEGER);
    const page = await this.ctx.store.listTasks(instance.name, kind, {
      id,
      bucketName: optionalString('BucketName', input.bucketName, 256),
      path: optionalString('Path', input.path, 1024),
      offset: (pageNumber - 1) * pageSize,
      limit: pageSize,
    });
    return { ...page, pageNumber, pageSize };
  }

  /** The file a task wrote in a role, with its task; undefined when there is none (or it was removed). */
  async file(id: number, role: TaskFileRole): Promise<{ task: Task; path: string } | undefined> {
    const task = await this.ctx.store.getTask(id);
    const name = task?.files[role];
    if (!task || !name) return undefined;
    const path = join(this.opts.dir, String(task.id), name);
    const info = await stat(path).catch(() => undefined);
    return info?.isFile() ? { task, path } : undefined;
  }

  /** Resolves when no task is running (tasks started meanwhile included). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Stop every running task (each is recorded as interrupted) and wait for them. */
  async close(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await this.idle();
  }

  private async create(instance: string, kind: TaskKind, source?: IncrementSource): Promise<Task> {
    const now = this.ctx.now();
    const task: Omit<Task, 'id'> = { instance, kind, status: 'PROCESSING', message: 'processing', files: {}, counts: emptyCounts(), createdAt: now, updatedAt: now };
    if (source) task.source = source;
    return this.ctx.store.createTask(task, this.ctx.node);
  }

  private launch(task: Task, hooks: TaskHooks, work: (signal: AbortSignal, dir: string) => Promise<TaskPatch>): void {
    const abort = new AbortController();
    const done = (async () => {
      let patch: TaskPatch;
      let unexpected: unknown;
      try {
        const dir = join(this.opts.dir, String(task.id));
        await mkdir(dir, { recursive: true, mode: 0o700 });
        patch = await work(abort.signal, dir);
      } catch (err) {
        if (isTusouError(err)) {
          patch = { status: 'FAIL', ...failure(err) };
        } else {
          unexpected = err;
          patch = { status: 'FAIL', error: { code: 'INTERNAL', aliyun: 'InternalError' }, message: ERRORS.INTERNAL.message({}) };
        }
      }
      let final: Task = { ...task, ...patch, updatedAt: this.ctx.now() };
      try {
        await this.ctx.store.updateTask(task.id, patch, final.updatedAt);
        final = (await this.ctx.store.getTask(task.id)) ?? final;
      } catch (err) {
        // The row stays PROCESSING; recover() marks it failed on the next start.
        unexpected ??= err;
      }
      this.running.delete(task.id);
      hooks.onFinish?.(final, unexpected);
    })();
    this.running.set(task.id, { abort, done });
  }
}
