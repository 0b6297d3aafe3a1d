// Public surface of the store layer: the Store contract, the SQLite store and kept originals.
export type { Store, NewImage, ImageSelection, PutResult, DeleteResult } from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { BlobStore } from './blob-store.js';
export { lockDataDir } from './data-lock.js';
