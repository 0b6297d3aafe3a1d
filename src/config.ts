// Configuration: environment variables (and an optional JSON file named by TUSOU_CONFIG) read
// once into a frozen, typed Config. A bad value fails at boot, naming the key.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** The bootstrap access key; without one tusou listens on loopback only. */
  accessKey?: { id: string; secret: string };
  image: { maxBytes: number; minPx: number; maxPx: number };
  /** Largest request body accepted (a 4 MB picture in base64 is about 5.6 MB). */
  bodyMaxBytes: number;
  defaults: { descriptor: string; capacity: number };
  search: {
    /** Filtered searches over at most this many candidates scan them exactly (see docs/indexing.md). */
    exactMaxCandidates: number;
  };
  index: {
    /** Snapshot an instance's index after this many changes (and on shutdown). */
    snapshotEvery: number;
  };
  vision: {
    /** Vision worker threads (models are loaded once per worker); see docs/vision.md. */
    workers: number;
    /** Subject detector behind Crop=true: `centernet` (COCO objects, saliency fallback) or `saliency` only. */
    detector: 'centernet' | 'saliency';
    /** Most queued same-descriptor extractions one worker runs as one batch. */
    batchMax: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A configuration error: the message names the key, what it needs and what it got. */
export class ConfigError extends Error {
  constructor(key: string, expected: string, got: unknown) {
    super(`configuration ${key} must be ${expected}; got ${JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

function int(src: Source, key: string, def: number, min: number, max: number): number {
  const raw = src[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, `an integer in ${min}..${max}`, raw);
  return n;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True when `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\./.test(host);
}

/**
 * Build the Config from environment variables, overlaid on an optional JSON file (TUSOU_CONFIG,
 * keys are the same variable names) and explicit overrides (CLI flags).
 * @throws ConfigError naming the bad key
 */
export function loadConfig(env: Source = process.env, overrides: Source = {}): Config {
  let file: Source = {};
  if (env.TUSOU_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.TUSOU_CONFIG, 'utf8')) as Source;
    } catch (err) {
      throw new ConfigError('TUSOU_CONFIG', 'a readable JSON file of TUSOU_* keys', `${env.TUSOU_CONFIG} (${(err as Error).message})`);
    }
  }
  const src: Source = { ...Object.fromEntries(Object.entries(file).map(([k, v]) => [k, v === undefined ? undefined : String(v)])), ...env, ...overrides };
  const host = src.TUSOU_HOST || '127.0.0.1';
  if (host !== 'localhost' && !isIP(host)) throw new ConfigError('TUSOU_HOST', 'an IP address or localhost', host);
  const id = src.TUSOU_ACCESS_KEY_ID;
  const secret = src.TUSOU_ACCESS_KEY_SECRET;
  if (Boolean(id) !== Boolean(secret)) throw new ConfigError('TUSOU_ACCESS_KEY_SECRET', 'set together with TUSOU_ACCESS_KEY_ID', secret ? '(set)' : '(unset)');
  if (!id && !isLoopback(host)) {
    throw new ConfigError('TUSOU_HOST', 'a loopback address unless TUSOU_ACCESS_KEY_ID/TUSOU_ACCESS_KEY_SECRET are set', host);
  }
  const logLevel = (src.TUSOU_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('TUSOU_LOG_LEVEL', 'one of fatal, error, warn, info, debug, trace, silent', logLevel);
  }
  const maxBytes = int(src, 'TUSOU_MAX_IMAGE_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024);
  const minPx = int(src, 'TUSOU_MIN_PX', 16, 1, 65535);
  const detector = (src.TUSOU_DETECTOR || 'centernet') as Config['vision']['detector'];
  if (detector !== 'centernet' && detector !== 'saliency') throw new ConfigError('TUSOU_DETECTOR', 'centernet or saliency', detector);
  const maxPx = int(src, 'TUSOU_MAX_PX', 8192, 1, 65535);
  if (minPx > maxPx) throw new ConfigError('TUSOU_MIN_PX', `at most TUSOU_MAX_PX (${maxPx})`, minPx);
  return Object.freeze({
    host,
    port: int(src, 'TUSOU_PORT', 8080, 0, 65535),
    dataDir: resolve(src.TUSOU_DATA_DIR || './data'),
    accessKey: id && secret ? { id, secret } : undefined,
    image: { maxBytes, minPx, maxPx },
    bodyMaxBytes: int(src, 'TUSOU_BODY_MAX_BYTES', Math.ceil(maxBytes * 1.4) + 64 * 1024, 1024, 1024 * 1024 * 1024),
    defaults: { descriptor: src.TUSOU_DEFAULT_DESCRIPTOR || 'colour-hist-rgb512@1', capacity: int(src, 'TUSOU_DEFAULT_CAPACITY', 1_000_000, 1, 1_000_000_000) },
    search: { exactMaxCandidates: int(src, 'TUSOU_EXACT_MAX_CANDIDATES', 5000, 0, 100_000_000) },
    index: { snapshotEvery: int(src, 'TUSOU_SNAPSHOT_EVERY', 10_000, 1, 100_000_000) },
    vision: {
      workers: int(src, 'TUSOU_VISION_WORKERS', availableParallelism(), 1, 256),
      detector,
      batchMax: int(src, 'TUSOU_VISION_BATCH', 4, 1, 64),
    },
    logLevel,
  });
}
