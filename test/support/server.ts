// A real tusou server for tests: a temporary data directory and a loopback port chosen by the OS.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropTestStore, testStoreEnv } from './stores.js';

export interface TestServer {
  url: string;
  dataDir: string;
  app: App;
  /** fetch relative to the server, JSON helpers included. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'tusou-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Start a server on 127.0.0.1:0 with its own data directory (or `dataDir`) and env overrides.
 * `options.now` is the clock the server checks request signatures against.
 * Crop=true uses the model-free saliency detector unless a test asks for `TUSOU_DETECTOR:
 * 'centernet'`: CenterNet costs ~0.2 s per picture plus its load per server, which tripled the
 * engine/REST/durability suites; the vision and deep-search tests run the real detector. For the
 * same reason new instances default to the colour histogram (`TUSOU_DEFAULT_DESCRIPTOR`) instead
 * of the deep defaults per service type, and with no default reranker (`TUSOU_DEFAULT_RERANKER`);
 * tests of the deep descriptors and rerankers name them.
 * On the PostgreSQL pass of `npm test` (TUSOU_TEST_STORE=postgres) the store is a schema of its
 * own on TUSOU_TEST_PG_URL, named after the data directory (dropped by close() unless kept).
 */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string, options: { now?: () => number } = {}): Promise<TestServer> {
  const dir = dataDir ?? await tempDir();
  const config = loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_PORT: '0', TUSOU_LOG_LEVEL: 'silent', TUSOU_DETECTOR: 'saliency', TUSOU_DEFAULT_DESCRIPTOR: 'colour-hist-rgb512@1', TUSOU_DEFAULT_RERANKER: 'none', ...testStoreEnv(dir), ...env });
  const app = await createApp(config, undefined, options);
  const url = app.server!.url;
  return {
    url, dataDir: dir, app,
    api(path, init = {}) {
      const { json, ...rest } = init;
      if (json !== undefined) {
        return fetch(url + path, { ...rest, body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) } });
      }
      return fetch(url + path, rest);
    },
    async close(opts = {}) {
      await app.close();
      if (!opts.keepData) {
        await rm(dir, { recursive: true, force: true });
        await dropTestStore(dir);
      }
    },
  };
}
