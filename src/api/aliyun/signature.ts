// Verification of Alibaba Cloud request signatures: ACS3-HMAC-SHA256 (the SDK's default) and the
// legacy RPC HMAC-SHA1 (SignatureVersion 1.0), with a timestamp window and a bounded nonce cache
// against replays (aliyun-imagesearch-api.md §6.3, §6.4).

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { TusouError, shown, type Clock } from '../../domain/index.js';

/** A request as the verifier needs it. Query and form pairs are already percent-decoded. */
export interface SignedRequest {
  method: string;
  /** The URL path exactly as sent (the SDK always uses `/`). */
  path: string;
  query: readonly (readonly [string, string])[];
  /** Header lookup by lower-case name. */
  header(name: string): string | undefined;
  body: Buffer;
  /** Decoded pairs of an `application/x-www-form-urlencoded` body (signed by RPC v1). */
  form: readonly (readonly [string, string])[];
}

/** A key as the verifier sees it. */
export interface KeyRecord {
  secret: string;
  active: boolean;
}

export type KeyLookup = (accessKeyId: string) => Promise<KeyRecord | undefined>;

export interface VerifyOptions {
  lookup: KeyLookup;
  nonces: NonceCache;
  /** Largest allowed |now − request time|, in seconds. */
  windowS: number;
  now: Clock;
}

export type SignatureScheme = 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';

/** RFC 3986 percent-encoding as Alibaba Cloud canonicalises: encodeURIComponent plus `!'()*`. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encode, then sort by encoded key (then value), then join `k=v` with `&`. */
export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return pairs
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const sha256hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Length is not secret (it is fixed per scheme); the comparison of the bytes is constant-time.
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Remembers nonces until the request they came with could no longer pass the timestamp check.
 * Memory is bounded: when full, the oldest entry is dropped and every request not newer than
 * the dropped one is refused as expired, so a dropped nonce can never be replayed.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private floorMs = -Infinity;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Record a nonce used by a request valid until `expiresAtMs`.
   * @returns `ok`, `used` (a replay) or `too-old` (older than what the full cache forgot)
   */
  use(nonce: string, expiresAtMs: number, nowMs: number): 'ok' | 'used' | 'too-old' {
    for (const [n, exp] of this.seen) {
      if (exp >= nowMs) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) return 'used';
    if (expiresAtMs <= this.floorMs) return 'too-old';
    while (this.seen.size >= this.maxEntries) {
      const [oldest, exp] = this.seen.entries().next().value as [string, number];
      this.seen.delete(oldest);
      this.floorMs = Math.max(this.floorMs, exp);
    }
    this.seen.set(nonce, expiresAtMs);
    return 'ok';
  }
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;

/** Check the request time is well-formed and inside the window, then spend the nonce. */
function checkFreshness(timestamp: string | undefined, nonce: string | undefined, opts: VerifyOptions): void {
  if (!timestamp || !TIMESTAMP.test(timestamp)) throw new TusouError('AUTH_TIMESTAMP_INVALID', { got: shown(timestamp ?? '(missing)', 40) });
  const t = Date.parse(timestamp);
  const now = opts.now();
  const windowMs = opts.windowS * 1000;
  if (!Number.isFinite(t) || Math.abs(now - t) > windowMs) throw new TusouError('AUTH_TIMESTAMP_EXPIRED', { got: timestamp, windowS: opts.windowS });
  if (!nonce || nonce.length > 128) throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: 'the signature nonce is missing or longer than 128 characters' });
  const verdict = opts.nonces.use(nonce, t + windowMs, now);
  if (verdict === 'used') throw new TusouError('AUTH_NONCE_USED');
  if (verdict === 'too-old') throw new TusouError('AUTH_TIMESTAMP_EXPIRED', { got: timestamp, windowS: opts.windowS });
}

async function secretOf(accessKeyId: string, opts: VerifyOptions): Promise<string> {
  const key = await opts.lookup(accessKeyId);
  if (!key) throw new TusouError('AUTH_KEY_NOT_FOUND', { accessKeyId: shown(accessKeyId, 40) });
  if (!key.active) throw new TusouError('AUTH_KEY_REVOKED', { accessKeyId });
  return key.secret;
}

const ACS3 = /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;
const MUST_SIGN = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-signature-nonce'];

/** The ACS3 canonical request (§6.3 step 6), exported for tests and debugging. */
export function acs3CanonicalRequest(req: SignedRequest, signedHeaders: readonly string[], payloadHash: string): string {
  let headers = '';
  for (const h of signedHeaders) headers += `${h}:${(req.header(h) ?? '').trim()}\n`;
  return [req.method.toUpperCase(), req.path || '/', canonicalQuery(req.query), headers, signedHeaders.join(';'), payloadHash].join('\n');
}

async function verifyAcs3(req: SignedRequest, authorization: string, opts: VerifyOptions): Promise<string> {
  const m = ACS3.exec(authorization);
  if (!m) {
    const algorithm = authorization.split(/\s/, 1)[0];
    const reason = algorithm.startsWith('ACS3-') && algorithm !== 'ACS3-HMAC-SHA256'
      ? `the algorithm ${shown(algorithm, 30)} is not supported; use ACS3-HMAC-SHA256`
      : 'the Authorization header must be "ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=<64 hex>"';
    throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason });
  }
  const [, accessKeyId, signedList, signature] = m;
  const signed = signedList.split(';');
  if (signed.join(';') !== [...signed].sort().join(';') || signed.some((h) => h !== h.toLowerCase())) {
    throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: 'SignedHeaders must be lower-case and sorted' });
  }
  for (const h of MUST_SIGN) {
    if (!signed.includes(h)) throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: `the header ${h} must be signed` });
  }
  for (const h of signed) {
    if (req.header(h) === undefined) throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: `the signed header ${h} is missing` });
  }
  const secret = await secretOf(accessKeyId, opts);
  const payloadHash = sha256hex(req.body);
  if (!sameText(payloadHash, (req.header('x-acs-content-sha256') ?? '').toLowerCase())) throw new TusouError('AUTH_SIGNATURE_MISMATCH');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256hex(acs3CanonicalRequest(req, signed, payloadHash))}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  if (!sameText(expected, signature.toLowerCase())) throw new TusouError('AUTH_SIGNATURE_MISMATCH');
  checkFreshness(req.header('x-acs-date'), req.header('x-acs-signature-nonce'), opts);
  return accessKeyId;
}

/** The RPC v1 string to sign (§6.4): every query parameter but Signature, plus the form body. */
export function rpcStringToSign(req: SignedRequest): string {
  const pairs = [...req.query.filter(([k]) => k !== 'Signature'), ...req.form];
  return `${req.method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(pairs))}`;
}

async function verifyRpc(req: SignedRequest, opts: VerifyOptions): Promise<string> {
  const q = new Map(req.query);
  const signature = q.get('Signature') ?? '';
  if (q.get('SignatureMethod') !== 'HMAC-SHA1' || q.get('SignatureVersion') !== '1.0') {
    throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: 'SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0' });
  }
  const accessKeyId = q.get('AccessKeyId');
  if (!accessKeyId) throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: 'AccessKeyId is missing' });
  const secret = await secretOf(accessKeyId, opts);
  const expected = createHmac('sha1', `${secret}&`).update(rpcStringToSign(req)).digest('base64');
  if (!sameText(expected, signature)) throw new TusouError('AUTH_SIGNATURE_MISMATCH');
  checkFreshness(q.get('Timestamp'), q.get('SignatureNonce'), opts);
  return accessKeyId;
}

/**
 * Verify a request's signature, freshness and nonce; resolves to the access key id.
 * Checks run signature first, so unauthenticated requests never fill the nonce cache.
 * @throws AUTH_REQUIRED, AUTH_SIGNATURE_INCOMPLETE, AUTH_KEY_NOT_FOUND, AUTH_KEY_REVOKED,
 *   AUTH_SIGNATURE_MISMATCH, AUTH_TIMESTAMP_INVALID, AUTH_TIMESTAMP_EXPIRED, AUTH_NONCE_USED
 */
export async function verifyRequest(req: SignedRequest, opts: VerifyOptions): Promise<{ accessKeyId: string; scheme: SignatureScheme }> {
  const authorization = req.header('authorization');
  if (authorization) return { accessKeyId: await verifyAcs3(req, authorization, opts), scheme: 'ACS3-HMAC-SHA256' };
  if (req.query.some(([k]) => k === 'Signature')) return { accessKeyId: await verifyRpc(req, opts), scheme: 'HMAC-SHA1' };
  if (req.header('x-acs-bearer-token') !== undefined || req.query.some(([k]) => k === 'BearerToken')) {
    throw new TusouError('AUTH_SIGNATURE_INCOMPLETE', { reason: 'bearer tokens are not supported; sign with an access key' });
  }
  throw new TusouError('AUTH_REQUIRED');
}
