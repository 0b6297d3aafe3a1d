// Configuration: environment variables (and an optional JSON file named by TUSOU_CONFIG) read
// once into a frozen, typed Config. A bad value fails at boot, naming the key.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { DefaultDescriptors, DefaultRerankers } from './domain/index.js';

/**
 * Chosen by the retrieval benchmark (docs/quality.md, "Defaults"): MobileNetV2-mid pooled is the
 * best shipped descriptor for what a product search asks (same kind of product, category-level
 * similarity); fused with the colour histogram it is the best for what generic search asks
 * (this very picture or object: copies, multi-view, UKBench).
 */
export const DEFAULT_DESCRIPTORS: DefaultDescriptors = { product: 'mnv2mid-gap1792@1', generic: 'mnv2mid-colour2304@1' };

/**
 * Generic search is for this very picture or object, so it verifies the first candidates with
 * local features (copy detection R@1 0.973 → 0.994, docs/quality.md); product search does not.
 */
export const DEFAULT_RERANKERS: DefaultRerankers = { generic: 'orb-ransac-top8@1' };

export interface Config {
  host: string;
  port: number;
  /** This node's own files: index snapshots, thumbnails, task files (and, with SQLite, the store and originals). */
  dataDir: string;
  /**
   * Where the record of truth lives (TUSOU_STORE): the SQLite file in the data directory (default),
   * or a PostgreSQL database shared by several nodes (docs/deployment.md).
   */
  store: { kind: 'sqlite' } | { kind: 'postgres'; url: string; poolMax: number };
  /** This node's id among nodes sharing a PostgreSQL store (TUSOU_NODE_ID; default: generated once per data directory). */
  nodeId?: string;
  /** The change feed the indexes follow (TUSOU_FOLLOW_POLL_MS, TUSOU_CHANGES_KEEP_S). */
  changes: { pollMs: number; keepS: number };
  /** Distributed ingestion (PostgreSQL store): queue workers on this node and how long a job may run. */
  ingest: { workers: number; jobTimeoutS: number };
  /** The bootstrap access key; without one tusou listens on loopback only. */
  accessKey?: { id: string; secret: string };
  image: { maxBytes: number; minPx: number; maxPx: number };
  /** Largest request body accepted (a 4 MiB picture as base64 in a form body is about 5.9 MB). */
  bodyMaxBytes: number;
  /** New instances: the descriptor per service type (faces always use the face descriptor) and the capacity. */
  defaults: { descriptors: DefaultDescriptors; rerankers: DefaultRerankers; capacity: number };
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
    /** Most vision tasks waiting for a worker; beyond it requests get 503 SERVER_BUSY (TUSOU_VISION_QUEUE_MAX). */
    queueMax: number;
    /** A vision task waiting longer than this fails with 503 SERVER_BUSY (TUSOU_VISION_QUEUE_WAIT_MS). */
    queueWaitMs: number;
    /** Load the models at start, before /api/v1/ready says ready (TUSOU_VISION_WARMUP, default true). */
    warmup: boolean;
  };
  /** Access and limits (docs/security.md). */
  security: {
    /** Origins whose web pages may call the REST API (TUSOU_CORS_ORIGINS, comma-separated; default none). */
    corsOrigins: string[];
    qps: {
      /** Requests per second per access key, unless the key has its own (TUSOU_QPS_PER_KEY; 0 = unlimited). */
      perKey: number;
      /** Requests per second per instance (TUSOU_QPS_PER_INSTANCE; 0 = unlimited). */
      perInstance: number;
      /** Per-instance overrides (TUSOU_INSTANCE_QPS=shop=10,test=1). */
      instances: Readonly<Record<string, number>>;
    };
    /** Requests handled at once; more get 503 SERVER_BUSY (TUSOU_MAX_IN_FLIGHT). */
    maxInFlight: number;
    /** Time budget of a request (TUSOU_REQUEST_TIMEOUT_MS; 0 = none). */
    requestTimeoutMs: number;
    /** How long SIGTERM waits for requests in flight (TUSOU_SHUTDOWN_GRACE_MS). */
    shutdownGraceMs: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The Alibaba-compatible API (docs/aliyun.md). */
  aliyun: {
    /** Reported as Detail.Instance.Region (TUSOU_REGION). */
    region: string;
    /** Largest allowed clock skew of a signed request, in seconds (TUSOU_SIGNATURE_WINDOW_S). */
    signatureWindowS: number;
    /** Most nonces remembered for replay protection (TUSOU_NONCE_CACHE_MAX). */
    nonceCacheMax: number;
    /** Fetch PicContent URLs that tusou did not issue (TUSOU_FETCH_URLS, default false). */
    fetchUrls: boolean;
    /** Let fetched URLs resolve to private, loopback or link-local addresses (TUSOU_FETCH_PRIVATE_URLS, default false). */
    fetchPrivateUrls: boolean;
    /** host[:port] the *Advance uploads go to, when the request's Host cannot be used (TUSOU_UPLOAD_HOST). */
    uploadHost?: string;
    /** How long an uploaded temporary picture is kept before use, in seconds (TUSOU_UPLOAD_TTL_S). */
    uploadTtlS: number;
  };
  /** The TLS side of the listening port (used by the *Advance uploads). */
  tls: {
    /** PEM files of a certificate to use instead of the generated self-signed one (TUSOU_TLS_CERT/TUSOU_TLS_KEY). */
    certFile?: string;
    keyFile?: string;
    /** Extra DNS names / IPs for the generated certificate (TUSOU_TLS_HOSTS, comma-separated). */
    hosts: string[];
  };
  /** Bucket name → absolute local folder, for IncreaseInstance (TUSOU_BUCKETS=name=/abs/dir,…). */
  buckets: Readonly<Record<string, string>>;
}

/** A configuration error: the message names the key, what it needs and what it got. */
export class ConfigError extends Error {
  constructor(key: string, expected: string, got: unknown) {
    super(`configuration ${key} must be ${expected}; got ${JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/** A default reranker entry: `none` (or nothing) means no reranker. */
function reranker(id: string | undefined, serviceType: keyof DefaultRerankers): DefaultRerankers {
  return id && id !== 'none' ? { [serviceType]: id } : {};
}

function int(src: Source, key: string, def: number, min: number, max: number): number {
  const raw = src[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, `an integer in ${min}..${max}`, raw);
  return n;
}

function bool(src: Source, key: string, def: boolean): boolean {
  const raw = src[key];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, 'true or false', raw);
}

/** Parse `https://a.example,http://localhost:5173`: origins exactly as browsers send them. */
function origins(src: Source): string[] {
  const out: string[] = [];
  for (const o of (src.TUSOU_CORS_ORIGINS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError('TUSOU_CORS_ORIGINS', 'comma-separated origins like https://shop.example or http://localhost:5173 (scheme, host, optional port; no path or wildcard)', o);
    out.push(o);
  }
  return out;
}

/** Parse `shop=10,test=1`: instance name → QPS (0 = unlimited). */
function instanceQps(src: Source): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (src.TUSOU_INSTANCE_QPS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]{1,20})=(\d{1,6})$/.exec(part);
    if (!m) throw new ConfigError('TUSOU_INSTANCE_QPS', 'a comma-separated list of instance=QPS (QPS 0..999999, 0 = unlimited)', part);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Parse `name=/abs/dir,name2=/abs/dir2`; names as OSS bucket names, folders absolute. */
function buckets(src: Source): Record<string, string> {
  const raw = src.TUSOU_BUCKETS;
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    const dir = part.slice(eq + 1);
    if (eq < 1 || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(name) || !isAbsolute(dir)) {
      throw new ConfigError('TUSOU_BUCKETS', 'a comma-separated list of bucket=/absolute/folder (bucket: 2..63 of [a-z0-9-])', part);
    }
    out[name] = resolve(dir);
  }
  return out;
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
  const store = storeOf(src);
  const nodeId = src.TUSOU_NODE_ID || undefined;
  if (nodeId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId)) throw new ConfigError('TUSOU_NODE_ID', '1..64 of [A-Za-z0-9_.-]', nodeId);
  const workers = int(src, 'TUSOU_VISION_WORKERS', availableParallelism(), 1, 256);
  if (minPx > maxPx) throw new ConfigError('TUSOU_MIN_PX', `at most TUSOU_MAX_PX (${maxPx})`, minPx);
  return Object.freeze({
    host,
    port: int(src, 'TUSOU_PORT', 8080, 0, 65535),
    dataDir: resolve(src.TUSOU_DATA_DIR || './data'),
    store,
    nodeId,
    changes: {
      pollMs: int(src, 'TUSOU_FOLLOW_POLL_MS', 1000, 10, 600_000),
      keepS: int(src, 'TUSOU_CHANGES_KEEP_S', 7 * 86_400, 60, 10 * 365 * 86_400),
    },
    ingest: {
      workers: int(src, 'TUSOU_INGEST_WORKERS', store.kind === 'postgres' ? 1 : 0, 0, 64),
      jobTimeoutS: int(src, 'TUSOU_JOB_TIMEOUT_S', 300, 5, 86_400),
    },
    accessKey: id && secret ? { id, secret } : undefined,
    image: { maxBytes, minPx, maxPx },
    // Base64 (4/3) percent-encoded in a form body (+ and / become 3 bytes) is ~1.42× the picture;
    // 2× leaves room for the other fields (aliyun-imagesearch-api.md §2.5 asks for ≥ 8 MiB).
    bodyMaxBytes: int(src, 'TUSOU_BODY_MAX_BYTES', maxBytes * 2 + 64 * 1024, 1024, 1024 * 1024 * 1024),
    defaults: {
      descriptors: {
        product: src.TUSOU_DEFAULT_DESCRIPTOR_PRODUCT || src.TUSOU_DEFAULT_DESCRIPTOR || DEFAULT_DESCRIPTORS.product,
        generic: src.TUSOU_DEFAULT_DESCRIPTOR_GENERIC || src.TUSOU_DEFAULT_DESCRIPTOR || DEFAULT_DESCRIPTORS.generic,
      },
      rerankers: {
        ...reranker(src.TUSOU_DEFAULT_RERANKER_PRODUCT || src.TUSOU_DEFAULT_RERANKER || DEFAULT_RERANKERS.product, 'product'),
        ...reranker(src.TUSOU_DEFAULT_RERANKER_GENERIC || src.TUSOU_DEFAULT_RERANKER || DEFAULT_RERANKERS.generic, 'generic'),
      },
      capacity: int(src, 'TUSOU_DEFAULT_CAPACITY', 1_000_000, 1, 1_000_000_000),
    },
    search: { exactMaxCandidates: int(src, 'TUSOU_EXACT_MAX_CANDIDATES', 5000, 0, 100_000_000) },
    index: { snapshotEvery: int(src, 'TUSOU_SNAPSHOT_EVERY', 10_000, 1, 100_000_000) },
    vision: {
      workers,
      detector,
      batchMax: int(src, 'TUSOU_VISION_BATCH', 4, 1, 64),
      // 8 waiting tasks per worker: at ~0.3 s per CenterNet pass under load a full queue is ~2.5 s
      // of work; past it requests are refused at once instead of waiting (bench/soak.ts).
      queueMax: int(src, 'TUSOU_VISION_QUEUE_MAX', 8 * workers, 1, 1_000_000),
      queueWaitMs: int(src, 'TUSOU_VISION_QUEUE_WAIT_MS', 5_000, 1, 3_600_000),
      warmup: bool(src, 'TUSOU_VISION_WARMUP', true),
    },
    security: {
      corsOrigins: origins(src),
      qps: {
        perKey: int(src, 'TUSOU_QPS_PER_KEY', 0, 0, 1_000_000),
        perInstance: int(src, 'TUSOU_QPS_PER_INSTANCE', 0, 0, 1_000_000),
        instances: Object.freeze(instanceQps(src)),
      },
      maxInFlight: int(src, 'TUSOU_MAX_IN_FLIGHT', 64, 1, 100_000),
      requestTimeoutMs: int(src, 'TUSOU_REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000),
      shutdownGraceMs: int(src, 'TUSOU_SHUTDOWN_GRACE_MS', 30_000, 0, 3_600_000),
    },
    logLevel,
    aliyun: {
      region: src.TUSOU_REGION || 'cn-shanghai',
      signatureWindowS: int(src, 'TUSOU_SIGNATURE_WINDOW_S', 900, 1, 86_400),
      nonceCacheMax: int(src, 'TUSOU_NONCE_CACHE_MAX', 100_000, 100, 100_000_000),
      fetchUrls: bool(src, 'TUSOU_FETCH_URLS', false),
      fetchPrivateUrls: bool(src, 'TUSOU_FETCH_PRIVATE_URLS', false),
      uploadHost: uploadHost(src),
      uploadTtlS: int(src, 'TUSOU_UPLOAD_TTL_S', 600, 1, 86_400),
    },
    tls: tls(src),
    buckets: Object.freeze(buckets(src)),
  });
}

/** `sqlite` (or unset): the file in the data directory; `postgres://…` (optionally `?schema=name`). */
function storeOf(src: Source): Config['store'] {
  const raw = src.TUSOU_STORE;
  if (!raw || raw === 'sqlite') return { kind: 'sqlite' };
  let ok = false;
  try {
    const u = new URL(raw);
    const schema = u.searchParams.get('schema');
    ok = (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && (schema === null || /^[a-z_][a-z0-9_]{0,40}$/.test(schema));
  } catch {
    ok = false;
  }
  // Never echo the URL: it may carry a password.
  if (!ok) throw new ConfigError('TUSOU_STORE', 'sqlite or a postgres://user:password@host:port/database URL (optionally ?schema=lower_case_name)', raw.replace(/:[^:@/]*@/, ':***@'));
  return { kind: 'postgres', url: raw, poolMax: int(src, 'TUSOU_STORE_POOL', 6, 1, 200) };
}

function uploadHost(src: Source): string | undefined {
  const v = src.TUSOU_UPLOAD_HOST;
  if (!v) return undefined;
  // Split into {Bucket}.{Endpoint} for the SDK (aliyun-imagesearch-api.md §7), so a dot is needed.
  if (!/^[A-Za-z0-9-]+\.[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v)) throw new ConfigError('TUSOU_UPLOAD_HOST', 'host[:port] with at least one dot (an IPv4 address or a DNS name)', v);
  return v;
}

function tls(src: Source): Config['tls'] {
  const certFile = src.TUSOU_TLS_CERT || undefined;
  const keyFile = src.TUSOU_TLS_KEY || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new ConfigError('TUSOU_TLS_KEY', 'set together with TUSOU_TLS_CERT', keyFile ? '(set)' : '(unset)');
  const hosts = (src.TUSOU_TLS_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  for (const h of hosts) if (!isIP(h) && !/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(h)) throw new ConfigError('TUSOU_TLS_HOSTS', 'comma-separated DNS names or IP addresses', h);
  return { certFile: certFile && resolve(certFile), keyFile: keyFile && resolve(keyFile), hosts };
}
