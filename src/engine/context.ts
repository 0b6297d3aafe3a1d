// What every engine operation receives: the parts it may use, and nothing transport-specific.

import type { Clock, DefaultDescriptors, DefaultRerankers, Instance } from '../domain/index.js';
import type { ImageLimits } from '../imaging/index.js';
import type { BlobStore, JobQueue, Store, ThumbnailCache } from '../store/index.js';
import type { Vision } from '../vision/index.js';
import type { ChangeFollower } from './change-follower.js';
import type { IndexRegistry } from './index-registry.js';
import type { TextIndexes } from './text-indexes.js';


export interface EngineOptions {
  image: ImageLimits;
  defaults: { descriptors: DefaultDescriptors; rerankers?: DefaultRerankers; capacity: number };
  search: { exactMaxCandidates: number };
  index: { snapshotEvery: number };
  /** The change feed every index follows (see change-follower.ts). */
  changes?: { pollMs: number; keepS: number };
  /** Batches sent to the ingestion queue: jobs in flight per batch, and how long a silent queue is trusted. */
  ingest?: { window: number; stallMs: number };
}

export interface EngineContext {
  store: Store;
  blobs: BlobStore;
  thumbnails: ThumbnailCache;
  vision: Vision;
  /** Installed vector indexes; changed only by the follower. */
  indexes: IndexRegistry;
  /** Built text indexes; changed only by the follower. */
  texts: TextIndexes;
  /** Applies every store change to the indexes; writes wait for it (`settle`) before they resolve. */
  follower: ChangeFollower;
  /** Where ingestion jobs go (any node's workers run them). */
  queue: JobQueue;
  /** This node's id: tasks it runs are failed when it restarts after a crash, other nodes' are not. */
  node: string;
  options: EngineOptions;
  now: Clock;
  /** Instances being reindexed → the descriptor they are moving to (adds compute both vectors). */
  reindexing: Map<string, string>;
  /**
   * The instance, or INSTANCE_NOT_FOUND; INSTANCE_REINDEX_REQUIRED when its descriptor is not
   * registered any more, unless `anyDescriptor` (for reindex, describe and delete).
   */
  instance(name: string, opts?: { anyDescriptor?: boolean }): Promise<Instance>;
  /** Report a problem that does not fail the operation (an original that could not be removed). */
  warn(message: string, details: Record<string, unknown>): void;
}
