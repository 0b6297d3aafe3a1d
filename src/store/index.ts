// Public surface of the store layer: the Store contract, the SQLite store, kept originals and
// their cached thumbnails.
export type { Store, NewImage, ImageSelection, PutResult, DeleteResult } from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { BlobStore } from './blob-store.js';
export { ThumbnailCache } from './thumbnail-cache.js';
export { lockDataDir, type DataLock } from './data-lock.js';
