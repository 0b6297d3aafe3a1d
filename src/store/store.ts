// The Store contract: the durable record of instances, images, their vectors, access keys and
// tasks, plus the change feed every node's in-memory indexes follow. Every method that resolves
// has made its write durable. Implementations: sqlite/ (embedded default), postgres/ (shared).

import type {
  AccessKey, FilterNode, ImageAttributes, ImageKey, ImageRecord, Instance, Metric, Task, TaskKind, TaskPage, TaskPatch, TaskQuery, Vector, VectorKind,
} from '../domain/index.js';

/** A new or replacing image: everything but the label, which the store assigns. */
export type NewImage = Omit<ImageRecord, 'label'>;

/** Which images an operation applies to. */
export interface ImageSelection {
  /** Only images of this category. */
  categoryId?: number;
  filter?: FilterNode;
  productId?: string;
}

export interface PutResult {
  label: number;
  /** The label of the image this one replaced, if the key existed. */
  replaced?: number;
  /** The original (sha256) that no image references any more after the replace. */
  orphanedBlob?: string;
}

export interface DeleteResult {
  deleted: Pick<ImageRecord, 'label' | 'productId' | 'picName' | 'sha256'>[];
  /** Originals (sha256) that no image references any more. */
  orphanedBlobs: string[];
}

/**
 * One entry of the change feed, written in the same transaction as the change it records.
 * Entries name what changed, not how: a follower re-reads the current state of those labels (or
 * of the instance), so applying an entry twice, or late, converges on the store's truth.
 */
export interface Change {
  /** Position in the feed: increasing in commit order (never reused; gaps are possible). */
  seq: number;
  instance: string;
  /** `images`: these labels were added, changed or deleted; `instance`: created, changed or deleted. */
  kind: 'images' | 'instance';
  labels: number[];
}

export interface ChangePage {
  changes: Change[];
  /** True when entries after the requested position were trimmed: replay cannot catch up from there. */
  trimmed: boolean;
}

/** What happened to one item of an ingestion batch (an import or an `increment.meta` line). */
export interface IngestOutcome {
  /** Position of the item in its batch (a line number, or a file's index). */
  item: number;
  status: 'added' | 'replaced' | 'deleted' | 'failed';
  /** Caller-defined facts (the key, the error code and message). */
  detail: Record<string, unknown>;
}

/** The change feed (see Change). */
export interface ChangeFeed {
  /** A random id fixed when the store was created, so an index snapshot of another store is never trusted. */
  storeId(): Promise<string>;
  /** Seq of the latest committed entry (0 when there is none). */
  lastChange(): Promise<number>;
  /** Up to `limit` entries after `after`, in seq order; only one instance's when `instance` is given. */
  changesSince(after: number, limit: number, instance?: string): Promise<ChangePage>;
  /**
   * Call `listener` (with no guarantee of one call per entry) after entries may have been committed,
   * by this process or any other sharing the store. Resolves with a function that stops it.
   */
  watchChanges(listener: () => void): Promise<() => Promise<void>>;
  /** Delete entries written before `beforeMs`; returns how many. Followers further behind reconcile by label sets. */
  trimChanges(beforeMs: number): Promise<number>;
}

/** A k-NN query answered inside the store. */
export interface StoreNearestQuery {
  instance: string;
  descriptor: string;
  metric: Metric;
  kind: VectorKind;
  /** Floats per vector, or bits per code. */
  dim: number;
  vector: Vector;
  selection: ImageSelection;
  k: number;
  /** `exact` scans every selected vector; `ann` walks the store's HNSW index (see ensureAnnIndex). */
  mode: 'exact' | 'ann';
}

/**
 * k-NN computed where the vectors are (PostgreSQL with pgvector), so a filtered query moves k
 * rows instead of every candidate's vector. Distances are in the units of index/kernels.ts.
 */
export interface StoreVectorSearch {
  /** Whether the store can compute this metric on this kind of vector. */
  supports(metric: Metric, kind: VectorKind): boolean;
  /** The k nearest selected images, nearest first, and how many selected images have a vector. */
  nearest(q: StoreNearestQuery): Promise<{ hits: { label: number; distance: number }[]; candidates: number }>;
  /** Build (once; idempotent across nodes) the ANN index `ann` queries of this descriptor use. */
  ensureAnnIndex(descriptor: string, metric: Metric, kind: VectorKind, dim: number, params?: { m?: number; efConstruction?: number }): Promise<void>;
  /** Whether that index exists. */
  hasAnnIndex(descriptor: string, metric: Metric, kind: VectorKind, dim: number): Promise<boolean>;
}

export interface Store extends ChangeFeed {
  /** Present when the store can run k-NN itself (pgvector); decided once, when the store opens. */
  vectorSearch?: StoreVectorSearch;

  createInstance(instance: Instance): Promise<void>;
  getInstance(name: string): Promise<Instance | undefined>;
  listInstances(): Promise<Instance[]>;
  /** Delete an instance and all its images; returns the originals no other image references. */
  deleteInstance(name: string): Promise<{ existed: boolean; orphanedBlobs: string[] }>;

  countImages(instance: string, selection?: ImageSelection): Promise<number>;
  /** Number of images per category id. */
  categoryCounts(instance: string): Promise<Map<number, number>>;
  /**
   * Insert or replace (by key) an image with its vectors, in one durable transaction.
   * @throws INSTANCE_FULL when the key is new and the instance holds `capacity` images
   */
  putImage(instance: string, image: NewImage, vectors: Record<string, Vector>, capacity: number): Promise<PutResult>;
  getImage(instance: string, key: ImageKey): Promise<ImageRecord | undefined>;
  getImagesByLabel(instance: string, labels: readonly number[]): Promise<Map<number, ImageRecord>>;
  /** Change attributes of an existing image; undefined when it does not exist. */
  updateImage(instance: string, key: ImageKey, patch: Partial<ImageAttributes>, now: number): Promise<ImageRecord | undefined>;
  deleteImages(instance: string, selection: ImageSelection & { picName?: string }): Promise<DeleteResult>;
  /** Images in label order after `afterLabel`, for paging and export. */
  listImages(instance: string, selection: ImageSelection, page: { afterLabel?: number; offset?: number; limit: number }): Promise<ImageRecord[]>;
  /** Labels of the images matching a selection. */
  selectLabels(instance: string, selection: ImageSelection): Promise<number[]>;
  getVectors(descriptor: string, labels: readonly number[]): Promise<Map<number, Vector>>;
  /** Every image's label and filterable attributes, in label order, in batches (cheap: no JSON). */
  scanAttributes(instance: string, batchSize?: number): AsyncIterable<[number, Pick<ImageAttributes, 'categoryId' | 'intAttr' | 'intAttr2' | 'intAttr3' | 'intAttr4' | 'strAttr' | 'strAttr2' | 'strAttr3' | 'strAttr4'>][]>;
  /** Every (label, vector) of an instance for a descriptor, in label order, in batches. */
  scanVectors(instance: string, descriptor: string, batchSize?: number): AsyncIterable<[number, Vector][]>;
  /** Store (or replace) vectors of one descriptor for existing images. */
  putVectors(descriptor: string, entries: readonly [number, Vector][]): Promise<void>;
  /** Labels of an instance's images that have no vector of this descriptor. */
  labelsWithoutVector(instance: string, descriptor: string): Promise<number[]>;
  /** Delete every vector of a descriptor in an instance. */
  deleteVectors(instance: string, descriptor: string): Promise<void>;
  /** Change how an instance's images are described and indexed. */
  updateInstance(name: string, patch: Pick<Instance, 'descriptor' | 'metric' | 'index'>): Promise<void>;
  /** True when some image (in any instance) keeps this original. */
  isBlobReferenced(sha256: string): Promise<boolean>;

  /** Store a new access key. @throws PARAM_INVALID when the id exists */
  createAccessKey(key: AccessKey): Promise<void>;
  getAccessKey(id: string): Promise<AccessKey | undefined>;
  listAccessKeys(): Promise<AccessKey[]>;
  /** Mark a key revoked; false when no such key exists. Revoking twice keeps the first time. */
  revokeAccessKey(id: string, now: number): Promise<boolean>;

  /**
   * Record a new PROCESSING task, run by the node `node` (see failRunningTasks).
   * @throws TASK_ALREADY_RUNNING when the instance already runs a task of this kind
   */
  createTask(task: Omit<Task, 'id'>, node?: string): Promise<Task>;
  updateTask(id: number, patch: TaskPatch, now: number): Promise<void>;
  getTask(id: number): Promise<Task | undefined>;
  /** Tasks of one kind of an instance, newest first. */
  listTasks(instance: string, kind: TaskKind, query: TaskQuery): Promise<TaskPage>;
  /**
   * Mark PROCESSING tasks failed after a crash: those of `node` (and of no recorded node), or all
   * when `node` is undefined. Returns them as they are now.
   */
  failRunningTasks(error: NonNullable<Task['error']>, message: string, now: number, node?: string): Promise<Task[]>;

  /** Record (or overwrite, so a retried job counts once) the outcome of one item of a batch. */
  recordOutcome(batch: string, outcome: IngestOutcome): Promise<void>;
  /** How many items of a batch ended in each status. */
  batchCounts(batch: string): Promise<Record<IngestOutcome['status'], number>>;
  /** The failed items of a batch, in item order. */
  batchFailures(batch: string): Promise<IngestOutcome[]>;
  /** Forget a batch's outcomes. */
  deleteBatch(batch: string): Promise<void>;
  close(): Promise<void>;
}
