// An engine for engine-level tests: SQLite and an originals folder under `dir`, colour-histogram
// descriptors (fast, no model to load) on both service types, no HTTP.

import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { FolderBlobStore, SqliteStore } from '../../src/store/index.js';
import { createVision, type VisionOptions } from '../../src/vision/index.js';

export function openSqliteEngine(dir: string, vision: VisionOptions = {}): Promise<Engine> {
  return createEngine({
    store: new SqliteStore(join(dir, 'tusou.db')),
    blobs: new FolderBlobStore(join(dir, 'originals')),
    vision: createVision(vision),
    indexDir: join(dir, 'indexes'),
    options: {
      image: { maxBytes: 16 * 1024 * 1024, minPx: 16, maxPx: 8192 },
      defaults: { descriptors: { product: 'colour-hist-rgb512@1', generic: 'colour-hist-rgb512@1' }, capacity: 1000 },
      search: { exactMaxCandidates: 5000 },
      index: { snapshotEvery: 1000 },
    },
  });
}
