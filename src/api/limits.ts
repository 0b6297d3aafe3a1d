// Request limits shared by both front-ends: per-key and per-instance QPS (token buckets, the
// cloud's 1/5/10 QPS model), and the handler time budget.

import { TusouError, type Principal } from '../domain/index.js';

export interface QpsOptions {
  /** Requests per second per access key unless the key sets its own; 0 = unlimited. */
  perKey: number;
  /** Requests per second per instance unless `instances` names it; 0 = unlimited. */
  perInstance: number;
  /** Per-instance overrides (instance name → QPS; 0 = unlimited). */
  instances: Readonly<Record<string, number>>;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * Token buckets by name: each holds up to `qps` tokens (one second of burst) and refills at `qps`
 * per second. Memory is bounded: past `maxBuckets` the least recently used bucket is forgotten
 * (which can only make a limit more lenient for a caller idle long enough to be the oldest).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now, private readonly maxBuckets = 10_000) {}

  /** Tokens bucket `name` would have now (refilled, capped at `qps`). */
  private level(name: string, qps: number, nowMs: number): Bucket {
    const b = this.buckets.get(name);
    if (!b) return { tokens: qps, atMs: nowMs };
    return { tokens: Math.min(qps, b.tokens + ((nowMs - b.atMs) / 1000) * qps), atMs: nowMs };
  }

  /** Seconds until bucket `name` holds a whole token (0 when it holds one now). */
  waitS(name: string, qps: number): number {
    const b = this.level(name, qps, this.now());
    return b.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / qps));
  }

  /** Take one token from each bucket if every one has a token; otherwise take none. Returns the name of a bucket that had none. */
  takeAll(wants: readonly { name: string; qps: number }[]): string | undefined {
    const nowMs = this.now();
    const levels = wants.map((w) => this.level(w.name, w.qps, nowMs));
    const empty = wants.findIndex((_, i) => levels[i].tokens < 1);
    if (empty >= 0) return wants[empty].name;
    wants.forEach((w, i) => {
      this.buckets.delete(w.name);
      this.buckets.set(w.name, { tokens: levels[i].tokens - 1, atMs: nowMs });
    });
    while (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value as string);
    return undefined;
  }
}

/** The QPS limits of requests: one limiter for both APIs, so a key's budget is shared between them. */
export class QpsLimits {
  private readonly limiter: RateLimiter;

  constructor(private readonly opts: QpsOptions, now: () => number = Date.now) {
    this.limiter = new RateLimiter(now);
  }

  /** The QPS of an instance (0 = unlimited), as Detail reports it. */
  instanceQps(instance: string): number {
    return Object.hasOwn(this.opts.instances, instance) ? this.opts.instances[instance] : this.opts.perInstance;
  }

  /**
   * Count one request of `principal` on `instance` (if any) against both limits.
   * @throws QUOTA_QPS_EXCEEDED naming the limit that was hit, with the seconds to wait
   */
  admit(principal: Principal, instance: string | undefined): void {
    const wants: { name: string; qps: number; scope: string }[] = [];
    const keyQps = principal.keyId === undefined ? 0 : principal.qps ?? this.opts.perKey;
    if (keyQps > 0) wants.push({ name: `key:${principal.keyId}`, qps: keyQps, scope: `access key ${principal.keyId}` });
    // Only well-formed names get a bucket; anything else fails validation right after.
    if (instance !== undefined && /^[A-Za-z0-9_-]{1,20}$/.test(instance)) {
      const qps = this.instanceQps(instance);
      if (qps > 0) wants.push({ name: `instance:${instance}`, qps, scope: `instance ${instance}` });
    }
    if (wants.length === 0) return;
    const empty = this.limiter.takeAll(wants);
    if (empty === undefined) return;
    const hit = wants.find((w) => w.name === empty)!;
    throw new TusouError('QUOTA_QPS_EXCEEDED', { scope: hit.scope, qps: hit.qps, retryAfterS: this.limiter.waitS(hit.name, hit.qps) });
  }
}

/**
 * Settle with `work`, or fail with REQUEST_TIMEOUT after `timeoutMs` (the work itself goes on: a
 * write may still complete, which the error message says).
 * @throws REQUEST_TIMEOUT
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  if (!(timeoutMs > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TusouError('REQUEST_TIMEOUT', { timeoutMs })), timeoutMs);
  });
  // The loser must not become an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
