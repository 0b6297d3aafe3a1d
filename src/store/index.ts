// Public surface of the store layer: the Store contract and its SQLite and PostgreSQL
// implementations, kept originals (folder or PostgreSQL), cached thumbnails, the ingestion queue.
export type {
  Store, NewImage, ImageSelection, PutResult, DeleteResult, Change, ChangePage, ChangeFeed, IngestOutcome,
  StoreVectorSearch, StoreNearestQuery,
} from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { PgStore, type PgStoreOptions } from './postgres/pg-store.js';
export { NodePgDriver, parsePgUrl, type PgDriver, type PgSession, type PgConnection } from './postgres/driver.js';
export { PgBlobStore } from './postgres/pg-blob-store.js';
export type { BlobStore } from './blob-store.js';
export { FolderBlobStore } from './folder-blob-store.js';
export { ThumbnailCache } from './thumbnail-cache.js';
export type { JobQueue, IngestJob, JobAttempt } from './job-queue.js';
export { MemoryQueue } from './memory-queue.js';
export { PgQueue, type PgQueueOptions } from './postgres/pg-queue.js';
export { lockDataDir, type DataLock } from './data-lock.js';
