// The composition root: the only module that wires concrete parts together.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readiness, createLogger, startServer, type Logger, type RunningServer } from './api/index.js';
import { isLoopback, type Config } from './config.js';
import type { Clock } from './domain/index.js';
import { createEngine, type Engine } from './engine/index.js';
import { BlobStore, SqliteStore, ThumbnailCache, lockDataDir } from './store/index.js';
import { createVision } from './vision/index.js';

export interface App {
  config: Config;
  engine: Engine;
  log: Logger;
  server?: RunningServer;
  close(): Promise<void>;
}

/** Open the data directory and build the engine (no network). */
export async function openEngine(config: Config, log: Logger = createLogger(config.logLevel)): Promise<{ engine: Engine; log: Logger }> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(config.dataDir);
  let inner: Engine;
  try {
    inner = await createEngine({
      crashed: lock.crashed,
      onWarning: (message, details) => log.warn(details, message),
      store: new SqliteStore(join(config.dataDir, 'tusou.db')),
      blobs: new BlobStore(join(config.dataDir, 'originals')),
      thumbnails: new ThumbnailCache(join(config.dataDir, 'thumbnails')),
      vision: createVision({
        pool: { size: config.vision.workers, batchMax: config.vision.batchMax, maxQueued: config.vision.queueMax, maxWaitMs: config.vision.queueWaitMs },
        detector: config.vision.detector,
      }),
      indexDir: join(config.dataDir, 'indexes'),
      tasks: { dir: join(config.dataDir, 'tasks'), buckets: config.buckets },
      options: { image: config.image, defaults: config.defaults, search: config.search, index: config.index },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  const engine: Engine = {
    ...inner,
    async close() {
      await inner.close();
      lock.release();
    },
  };
  if (engine.recovery) log.warn(engine.recovery, 'the last run ended without a clean shutdown; removed what its interrupted writes left');
  for (const r of engine.startup) log.info(r, 'index ready');
  for (const t of engine.interruptedTasks) log.warn({ taskId: t.id, instance: t.instance, kind: t.kind }, 'task interrupted by the last shutdown, marked failed');
  return { engine, log };
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
    config, engine, log: opened.log, server,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
