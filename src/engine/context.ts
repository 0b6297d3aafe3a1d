// What every engine operation receives: the parts it may use, and nothing transport-specific.

import type { Clock, Instance } from '../domain/index.js';
import type { ImageLimits } from '../imaging/index.js';
import type { BlobStore, Store, ThumbnailCache } from '../store/index.js';
import type { Vision } from '../vision/index.js';
import type { IndexRegistry } from './index-registry.js';
import type { TextIndexes } from './text-indexes.js';

export interface EngineOptions {
  image: ImageLimits;
  defaults: { descriptor: string; capacity: number };
  search: { exactMaxCandidates: number };
  index: { snapshotEvery: number };
}

export interface EngineContext {
  store: Store;
  blobs: BlobStore;
  thumbnails: ThumbnailCache;
  vision: Vision;
  indexes: IndexRegistry;
  texts: TextIndexes;
  options: EngineOptions;
  now: Clock;
  /** Originals an add is about to reference, which a concurrent delete must not remove. */
  pinned: Map<string, number>;
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
