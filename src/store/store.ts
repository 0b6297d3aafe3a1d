// The Store contract: the durable record of instances, images, their vectors, access keys and
// tasks. Every method that resolves has made its write durable. Implementations: sqlite/.

import type {
  AccessKey, FilterNode, ImageAttributes, ImageKey, ImageRecord, Instance, Task, TaskKind, TaskPage, TaskPatch, TaskQuery, Vector,
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

export interface Store {
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
   * Record a new PROCESSING task.
   * @throws TASK_ALREADY_RUNNING when the instance already runs a task of this kind
   */
  createTask(task: Omit<Task, 'id'>): Promise<Task>;
  updateTask(id: number, patch: TaskPatch, now: number): Promise<void>;
  getTask(id: number): Promise<Task | undefined>;
  /** Tasks of one kind of an instance, newest first. */
  listTasks(instance: string, kind: TaskKind, query: TaskQuery): Promise<TaskPage>;
  /** Mark every PROCESSING task failed (after a crash); returns them as they are now. */
  failRunningTasks(error: NonNullable<Task['error']>, message: string, now: number): Promise<Task[]>;
  close(): Promise<void>;
}
