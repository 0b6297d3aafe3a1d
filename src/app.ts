// The composition root: the only module that wires concrete parts together.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readiness, createLogger, startServer, type Logger, type RunningServer } from './api/index.js';
import { isLoopback, type Config } from './config.js';
import type { Clock } from './domain/index.js';
import { createEngine, type Engine } from './engine/index.js';
import {
  FolderBlobStore, NodePgDriver, PgBlobStore, PgQueue, PgStore, SqliteStore, ThumbnailCache, lockDataDir, parsePgUrl,
  type BlobStore, type JobQueue, type Store,
} from './store/index.js';
import { UserModels, addExtractorSource, createVision } from './vision/index.js';

export interface App {
  config: Config;
  engine: Engine;
  /** The kept originals (a folder, or the shared PostgreSQL table). */
  blobs: BlobStore;
  log: Logger;
  server?: RunningServer;
  close(): Promise<void>;
}

export { pullModel } from './vision/index.js';

/** Where registered user models live: `<data dir>/models/<name>/`. */
export function modelsDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'models');
}

/** The registered user models of a data directory (for `tusou models …`; no engine needed). */
export function userModels(config: Pick<Config, 'dataDir'>): UserModels {
  return new UserModels(modelsDir(config));
}

/** This node's id among nodes sharing a store: configured, or generated once and kept in the data directory. */
function nodeIdOf(config: Config): string {
  if (config.nodeId) return config.nodeId;
  const file = join(config.dataDir, 'node-id');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const id = `node-${randomBytes(6).toString('hex')}`;
    writeFileSync(file, `${id}\n`, { mode: 0o600 });
    return id;
  }
}

/** The store, originals and queue the configuration names: SQLite + folder + memory, or PostgreSQL for all three. */
async function openStorage(config: Config, log: Logger): Promise<{ store: Store; blobs: BlobStore; queue?: JobQueue; node: string }> {
  if (config.store.kind === 'sqlite') {
    return { store: new SqliteStore(join(config.dataDir, 'tusou.db')), blobs: new FolderBlobStore(join(config.dataDir, 'originals')), node: '' };
  }
  const conn = parsePgUrl(config.store.url);
  const store = await PgStore.open(new NodePgDriver(conn, { max: config.store.poolMax }), { schema: conn.schema });
  try {
    const queue = await PgQueue.open(conn, { jobTimeoutS: config.ingest.jobTimeoutS }, (err) => log.warn({ err }, 'ingestion queue error'));
    return { store, blobs: new PgBlobStore(store.driver), queue, node: nodeIdOf(config) };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export interface OpenOptions {
  /** Ingestion queue workers in this process (default: TUSOU_INGEST_WORKERS; at least 1 with SQLite). */
  ingestWorkers?: number;
  /** `lazy` opens an instance's index on its first search instead of at start. */
  openIndexes?: 'eager' | 'lazy';
}

/** Open the data directory (and the shared store, when configured) and build the engine. */
export async function openEngine(config: Config, log: Logger = createLogger(config.logLevel), opts: OpenOptions = {}): Promise<{ engine: Engine; log: Logger; blobs: BlobStore }> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(config.dataDir);
  // Registered user models (`tusou models add`) are descriptors from here on, here and in the workers.
  const models = addExtractorSource(userModels(config));
  let inner: Engine;
  let blobs: BlobStore;
  try {
    const storage = await openStorage(config, log);
    blobs = storage.blobs;
    const defaultWorkers = config.store.kind === 'sqlite' ? Math.max(1, config.ingest.workers) : config.ingest.workers;
    inner = await createEngine({
      crashed: lock.crashed,
      onWarning: (message, details) => log.warn(details, message),
      store: storage.store,
      blobs: storage.blobs,
      queue: storage.queue,
      node: storage.node,
      // With SQLite the queue lives in this process: someone here must work on it.
      ingestWorkers: config.store.kind === 'sqlite' ? Math.max(1, opts.ingestWorkers ?? defaultWorkers) : opts.ingestWorkers ?? defaultWorkers,
      openIndexes: opts.openIndexes,
      onBackgroundError: (err, what) => log.warn({ err, what }, 'background work failed; it is retried'),
      thumbnails: new ThumbnailCache(join(config.dataDir, 'thumbnails')),
      vision: createVision({
        pool: { size: config.vision.workers, batchMax: config.vision.batchMax, maxQueued: config.vision.queueMax, maxWaitMs: config.vision.queueWaitMs },
        detector: config.vision.detector, modelsDir: modelsDir(config),
      }),
      indexDir: join(config.dataDir, 'indexes'),
      tasks: { dir: join(config.dataDir, 'tasks'), buckets: config.buckets },
      options: {
        image: config.image, defaults: config.defaults, search: config.search, index: config.index,
        changes: config.changes, ingest: { window: 32, stallMs: Math.max(60_000, config.ingest.jobTimeoutS * 2000) },
      },
    });
  } catch (err) {
    models.remove();
    lock.release();
    throw err;
  }
  const engine: Engine = {
    ...inner,
    async close() {
      await inner.close();
      models.remove();
      lock.release();
    },
  };
  if (engine.recovery) log.warn(engine.recovery, 'the last run ended without a clean shutdown; removed what its interrupted writes left');
  for (const r of engine.startup) log.info(r, 'index ready');
  for (const t of engine.interruptedTasks) log.warn({ taskId: t.id, instance: t.instance, kind: t.kind }, 'task interrupted by the last shutdown, marked failed');
  return { engine, log, blobs };
}

/** Build everything and start serving. `options.now` is the clock request signatures are checked against. */
export async function createApp(config: Config, log?: Logger, options: { now?: Clock } = {}): Promise<App> {
  const opened = await openEngine(config, log);
  const { engine } = opened;
  // The indexes are open once openEngine returns; the vision models load while the server already
  // answers /health, and /ready says ready only after them.
  const readiness = new Readiness({ indexes: true, vision: !config.vision.warmup });
  let server: RunningServer;
  try {
    server = await startServer(engine, {
      host: config.host, port: config.port, bodyMaxBytes: config.bodyMaxBytes, accessKey: config.accessKey, log: opened.log,
      dataDir: config.dataDir, aliyun: config.aliyun, tls: config.tls, maxPictureBytes: config.image.maxBytes, now: options.now,
      readiness, security: { ...config.security, loopbackOnly: isLoopback(config.host) },
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  opened.log.info({ url: server.url }, 'tusou is serving');
  if (config.vision.warmup) {
    const t0 = performance.now();
    void engine.warm().then(
      () => {
        readiness.markVisionWarm();
        opened.log.info({ ms: Math.round(performance.now() - t0) }, 'vision models loaded; ready');
      },
      (err: unknown) => opened.log.error({ err }, 'loading the vision models failed; /api/v1/ready stays 503'),
    );
  }
  return {
    config, engine, log: opened.log, server, blobs: opened.blobs,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
