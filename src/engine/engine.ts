// The engine: one object whose methods are the product's operations, transport-free. The two
// APIs and the CLI are thin adapters over it. It owns write order (store, then index) and the
// start-up reconciliation of every index with the store.

import { dirname, join } from 'node:path';
import {
  TusouError, validateInstanceName, type AccessKey, type AccessKeyInfo, type Clock, type ImageKey, type ImageRecord, type Instance,
  type Task, type TaskKind, type TaskPage,
} from '../domain/index.js';
import type { AnnotatedPicture } from '../imaging/index.js';
import { MemoryQueue, ThumbnailCache, type BlobStore, type JobQueue, type Store } from '../store/index.js';
import { getExtractor, hasExtractor, listExtractors, successorOf, type PoolStats, type Vision } from '../vision/index.js';
import { parseIndexSpec } from '../index/index.js';
import { addImage, type AddImageInput, type AddImageResult } from './add-image.js';
import { comparePictures, type CompareResult } from './compare.js';
import type { EngineContext, EngineOptions } from './context.js';
import {
  deleteImages, exportImages, findImage, getImage, getOriginal, updateImage, type DeleteInput, type KeyInput,
} from './images.js';
import { ChangeFollower } from './change-follower.js';
import { importPictures, runIngestJob, type ImportOutcome, type ImportPicture } from './ingest.js';
import { IndexRegistry, type OpenReport } from './index-registry.js';
import {
  createInstance, deleteInstance, getInstanceDetail, listInstances, type CreateInstanceInput, type InstanceDetail,
} from './instances.js';
import type { PictureInput } from './picture.js';
import { annotateQuery, annotatedImage, thumbnail, type RenderOptions, type Thumbnail } from './render.js';
import { reindex, type ReindexInput, type ReindexResult } from './reindex.js';
import { check, type CheckReport } from './check.js';
import { recoverAfterCrash, type RecoveryReport } from './recover.js';
import {
  searchByFilter, searchByImage, searchByPicture, searchByText,
  type SearchByPictureInput, type SearchByTextInput, type SearchHit, type SearchOptions, type SearchResult,
} from './search.js';
import type { AttributeInput } from '../domain/index.js';
import { createAccessKey, findAccessKey, listAccessKeys, revokeAccessKey, type AccessKeyInput } from './access-keys.js';
import { TaskRunner, type IncrementInput, type TaskFileRole, type TaskHooks, type TaskListInput, type TaskOptions } from './tasks.js';

export interface DescriptorInfo {
  id: string;
  kind: 'float' | 'binary';
  dim: number;
  metric: string;
  description: string;
}

export interface EngineStats {
  vision: PoolStats;
  indexes: { instance: string; size: number }[];
}

export interface EngineDeps {
  store: Store;
  blobs: BlobStore;
  /** Generated thumbnails; default: a `thumbnails` directory beside the index directory. */
  thumbnails?: ThumbnailCache;
  vision: Vision;
  /** Directory for index snapshots. */
  indexDir: string;
  options: EngineOptions;
  /** Task files and bucket folders; default: `tasks/` next to `indexDir`, no buckets. */
  tasks?: TaskOptions;
  now?: Clock;
  /** This node's id (several nodes may share a PostgreSQL store); default `''`. */
  node?: string;
  /** `eager` (default) opens every instance's index at start; `lazy` opens one on its first search. */
  openIndexes?: 'eager' | 'lazy';
  /** Failures of background work (following the change feed), which is retried on its own. */
  onBackgroundError?: (err: unknown, what: string) => void;
  /** The ingestion queue (default: in this process); the engine closes it. */
  queue?: JobQueue;
  /** Queue workers this engine runs from the start (default 1). */
  ingestWorkers?: number;
  /** The previous process died without closing (see lockDataDir): clean up after it first. */
  crashed?: boolean;
  /** Problems that do not fail a request but an operator should see (a snapshot that could not be written). */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export interface Engine {
  createInstance(input: CreateInstanceInput): Promise<InstanceDetail>;
  listInstances(): Promise<InstanceDetail[]>;
  getInstance(name: string): Promise<InstanceDetail>;
  /** The instance's settings, without counting its images (cheap, for every request). */
  instanceInfo(name: string): Promise<Instance>;
  deleteInstance(name: string): Promise<void>;
  addImage(instance: string, input: AddImageInput): Promise<AddImageResult>;
  getImage(instance: string, key: KeyInput): Promise<ImageRecord>;
  findImage(instance: string, key: KeyInput): Promise<ImageRecord | undefined>;
  getOriginal(instance: string, key: KeyInput): Promise<{ image: ImageRecord; bytes: Buffer }>;
  updateImage(instance: string, key: KeyInput, patch: AttributeInput): Promise<ImageRecord>;
  deleteImages(instance: string, input: DeleteInput): Promise<ImageKey[]>;
  searchByPicture(instance: string, input: SearchByPictureInput): Promise<SearchResult>;
  searchByImage(instance: string, key: KeyInput, options: SearchOptions): Promise<SearchResult>;
  searchByText(instance: string, input: SearchByTextInput): Promise<{ docsFound: number; hits: SearchHit[] }>;
  searchByFilter(instance: string, options: Pick<SearchOptions, 'num' | 'start' | 'filter' | 'categoryId'>): Promise<{ docsFound: number; images: ImageRecord[] }>;
  compare(instance: string, a: PictureInput, b: PictureInput): Promise<CompareResult>;
  exportImages(instance: string): AsyncIterable<ImageRecord>;
  thumbnail(instance: string, key: KeyInput, size?: unknown): Promise<Thumbnail>;
  annotatedImage(instance: string, key: KeyInput, opts?: RenderOptions): Promise<AnnotatedPicture>;
  annotateQuery(bytes: Buffer, query: SearchResult['query'], opts?: RenderOptions): Promise<AnnotatedPicture>;
  /** Re-describe every image of an instance from its kept original (new descriptor, metric or index). */
  reindex(instance: string, input: ReindexInput, onProgress?: (done: number, total: number) => void): Promise<ReindexResult>;
  /** Verify store ↔ index ↔ kept originals; with `repair`, fix what can be fixed. */
  check(opts: { repair: boolean }): Promise<CheckReport>;
  /** The descriptors an instance can be created with. */
  descriptors(): DescriptorInfo[];
  /** Start a background metadata export (DumpMeta). */
  startExport(instance: string, hooks?: TaskHooks): Promise<Task>;
  /** Start a background `increment.meta` batch (IncreaseInstance). */
  startIncrement(instance: string, input: IncrementInput, hooks?: TaskHooks): Promise<Task>;
  listTasks(instance: string, kind: TaskKind, input: TaskListInput): Promise<TaskPage & { pageNumber: number; pageSize: number }>;
  /** The file a task wrote (its export or its error list), if any. */
  getTaskFile(id: number, role: TaskFileRole): Promise<{ task: Task; path: string } | undefined>;
  /** Resolves when no background task is running. */
  waitForTasks(): Promise<void>;
  /**
   * Add pictures through the ingestion queue and wait until every one has an outcome.
   * @throws INSTANCE_NOT_FOUND
   */
  importPictures(instance: string, pictures: AsyncIterable<ImportPicture>, opts?: { onSent?: () => void }): Promise<ImportOutcome>;
  /** Run `n` more queue workers in this process until the returned function is called. */
  startIngestWorkers(n: number): Promise<() => Promise<void>>;
  /** Resolves once this node's indexes reflect every change committed so far (by any node). */
  settle(): Promise<void>;
  /** Create an access key; its secret is only ever returned here. */
  createAccessKey(input?: AccessKeyInput): Promise<AccessKey>;
  listAccessKeys(): Promise<AccessKeyInfo[]>;
  revokeAccessKey(id: string): Promise<void>;
  findAccessKey(id: string): Promise<AccessKey | undefined>;
  /** Snapshot every index that changed since its last snapshot. */
  snapshot(): Promise<void>;
  /** Load the vision models every instance needs, before traffic arrives (see /api/v1/ready). */
  warm(): Promise<void>;
  /** Figures for metrics: the vision queue and the size of every open index. */
  stats(): EngineStats;
  /** Stop running tasks (recorded as interrupted), snapshot, then release the store and the vision workers. */
  close(): Promise<void>;
  /** What start-up did per instance. */
  readonly startup: OpenReport[];
  /** Tasks a previous process left running, now marked failed. */
  readonly interruptedTasks: Task[];
  /** What start-up cleaned up after an unclean shutdown (absent after a clean one). */
  readonly recovery?: RecoveryReport;
}

/**
 * With pgvector, build the store's own HNSW index for an HNSW instance in the background, so
 * broad filtered searches run in SQL too (planner.ts); until it exists they use the memory index.
 */
function buildStoreAnn(store: Store, instance: Instance, onError?: (err: unknown, what: string) => void): void {
  const vs = store.vectorSearch;
  if (!vs || !hasExtractor(instance.descriptor)) return;
  const e = getExtractor(instance.descriptor);
  const spec = parseIndexSpec(instance.index);
  if (spec.kind !== 'hnsw' || !vs.supports(instance.metric, e.kind)) return;
  vs.ensureAnnIndex(instance.descriptor, instance.metric, e.kind, e.dim, { m: spec.m, efConstruction: spec.efc })
    .catch((err: unknown) => onError?.(err, `pgvector index of ${instance.name}`));
}

/** Build the engine and bring every instance's index up to date with the store. */
export async function createEngine(deps: EngineDeps): Promise<Engine> {
  let position = () => 0;
  const indexes = new IndexRegistry(deps.store, deps.indexDir, deps.options.index.snapshotEvery, () => position(), deps.onWarning);
  const follower = new ChangeFollower(deps.store, indexes, {
    pollMs: deps.options.changes?.pollMs ?? 1000,
    keepChangesS: deps.options.changes?.keepS ?? 7 * 86_400,
    eager: (deps.openIndexes ?? 'eager') === 'eager',
    onError: deps.onBackgroundError,
    onInstalled: (instance) => buildStoreAnn(deps.store, instance, deps.onBackgroundError),
  });
  position = () => follower.position;
  const ctx: EngineContext = {
    store: deps.store,
    blobs: deps.blobs,
    thumbnails: deps.thumbnails ?? new ThumbnailCache(join(dirname(deps.indexDir), 'thumbnails')),
    vision: deps.vision,
    indexes,
    texts: follower.texts,
    follower,
    node: deps.node ?? '',
    queue: deps.queue ?? new MemoryQueue(),
    options: deps.options,
    now: deps.now ?? Date.now,
    reindexing: new Map(),
    warn: (message, details) => deps.onWarning?.(message, details),
    async instance(name, opts = {}) {
      const valid = validateInstanceName(name);
      const instance = await deps.store.getInstance(valid);
      if (!instance) throw new TusouError('INSTANCE_NOT_FOUND', { name: valid });
      if (!opts.anyDescriptor && !hasExtractor(instance.descriptor)) {
        throw new TusouError('INSTANCE_REINDEX_REQUIRED', { name: instance.name, descriptor: instance.descriptor });
      }
      return instance;
    },
  };
  const recovery = deps.crashed ? await recoverAfterCrash(ctx) : undefined;
  const startup = await follower.start(await deps.store.listInstances(), async (instance) => {
    if (hasExtractor(instance.descriptor)) return follower.open(instance);
    // The descriptor's version is gone (tusou was upgraded): move to its successor, re-extracting
    // every vector from the kept originals, rather than mixing two vector spaces.
    const successor = successorOf(instance.descriptor);
    if (successor) {
      const t0 = performance.now();
      const res = await reindex(ctx, instance.name, { descriptor: successor });
      return { instance: instance.name, source: 'rebuilt', reason: `descriptor ${instance.descriptor} replaced by ${successor}: ${res.images} images re-described, ${res.failed.length} failed`, size: res.images - res.failed.length, added: res.images, removed: 0, ms: Math.round(performance.now() - t0) };
    }
    return { instance: instance.name, source: 'rebuilt', reason: `descriptor ${instance.descriptor} is unknown; reindex this instance`, size: 0, added: 0, removed: 0, ms: 0 };
  });
  const tasks = new TaskRunner(ctx, deps.tasks ?? { dir: join(dirname(deps.indexDir), 'tasks'), buckets: {} });
  const interruptedTasks = await tasks.recover();
  const workers: (() => Promise<void>)[] = [];
  const startIngestWorkers = async (n: number) => {
    const stop = await ctx.queue.work(n, (job, attempt) => runIngestJob(ctx, job, attempt));
    workers.push(stop);
    return async () => {
      const i = workers.indexOf(stop);
      if (i >= 0) workers.splice(i, 1);
      await stop();
    };
  };
  if ((deps.ingestWorkers ?? 1) > 0) await startIngestWorkers(deps.ingestWorkers ?? 1);
  let closed = false;
  const snapshot = async () => {
    await follower.serial(async () => indexes.snapshotAll());
  };

  return {
    startup,
    interruptedTasks,
    recovery,
    createInstance: (input) => createInstance(ctx, input),
    listInstances: () => listInstances(ctx),
    getInstance: (name) => getInstanceDetail(ctx, name),
    instanceInfo: (name) => ctx.instance(name),
    deleteInstance: (name) => deleteInstance(ctx, name),
    addImage: (instance, input) => addImage(ctx, instance, input),
    getImage: (instance, key) => getImage(ctx, instance, key),
    findImage: (instance, key) => findImage(ctx, instance, key),
    getOriginal: (instance, key) => getOriginal(ctx, instance, key),
    updateImage: (instance, key, patch) => updateImage(ctx, instance, key, patch),
    deleteImages: (instance, input) => deleteImages(ctx, instance, input),
    searchByPicture: (instance, input) => searchByPicture(ctx, instance, input),
    searchByImage: (instance, key, options) => searchByImage(ctx, instance, key, options),
    searchByText: (instance, input) => searchByText(ctx, instance, input),
    searchByFilter: (instance, options) => searchByFilter(ctx, instance, options),
    compare: (instance, a, b) => comparePictures(ctx, instance, a, b),
    exportImages: (instance) => exportImages(ctx, instance),
    thumbnail: (instance, key, size) => thumbnail(ctx, instance, key, size),
    annotatedImage: (instance, key, opts) => annotatedImage(ctx, instance, key, opts),
    annotateQuery: (bytes, query, opts) => annotateQuery(ctx, bytes, query, opts),
    reindex: (instance, input, onProgress) => reindex(ctx, instance, input, onProgress),
    check: (opts) => check(ctx, opts),
    descriptors: () => listExtractors().map((e) => ({ id: e.id, kind: e.kind, dim: e.dim, metric: e.metric, description: e.description })),
    startExport: (instance, hooks) => tasks.startExport(instance, hooks),
    startIncrement: (instance, input, hooks) => tasks.startIncrement(instance, input, hooks),
    listTasks: (instance, kind, input) => tasks.list(instance, kind, input),
    getTaskFile: (id, role) => tasks.file(id, role),
    waitForTasks: () => tasks.idle(),
    importPictures: (instance, pictures, opts = {}) => importPictures(ctx, ctx.queue, instance, pictures, {
      window: deps.options.ingest?.window ?? 32, stallMs: deps.options.ingest?.stallMs ?? 600_000, onSent: opts.onSent,
    }),
    startIngestWorkers,
    settle: async () => { await follower.settle(); },
    createAccessKey: (input) => createAccessKey(ctx, input),
    listAccessKeys: () => listAccessKeys(ctx),
    revokeAccessKey: (id) => revokeAccessKey(ctx, id),
    findAccessKey: (id) => findAccessKey(ctx, id),
    snapshot,
    async warm() {
      const instances = await deps.store.listInstances();
      await deps.vision.warm(instances.map((i) => i.descriptor).filter(hasExtractor));
    },
    stats: () => ({ vision: deps.vision.stats(), indexes: indexes.sizes() }),
    async close() {
      if (closed) return;
      closed = true;
      await tasks.close();
      for (const stop of [...workers]) await stop();
      await ctx.queue.close();
      await follower.stop();
      indexes.snapshotAll();
      await deps.vision.close();
      await deps.store.close();
    },
  };
}
