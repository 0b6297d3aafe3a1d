// Temporary uploads for the SDK's *Advance methods (aliyun-imagesearch-api.md §7): AuthorizeFileUpload
// issues an OSS-style POST policy, the PostObject receiver stores the picture as a short-lived file,
// and the following action reads it back from `http://{Bucket}.{Endpoint}/{ObjectKey}` without any
// network access. An object is deleted when it is used or when it expires, whichever comes first.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { TusouError, shown, type Clock } from '../../domain/index.js';
import type { FormPart } from './multipart.js';

export interface UploadOptions {
  /** Directory of the temporary objects; emptied at start. */
  dir: string;
  /** Key of the policy signatures. */
  secret: Buffer;
  /** How long a policy may be used, and how long an uploaded object waits to be used. */
  ttlS: number;
  maxBytes: number;
  /** host[:port] to send uploads to, instead of the Host the client used. */
  uploadHost?: string;
  now: Clock;
  /** Told about a failure of the background expiry (it keeps running). */
  onError(err: unknown): void;
}

/** What AuthorizeFileUpload answers (the SDK String()s every value but UseAccelerate). */
export interface UploadGrant {
  accessKeyId: string;
  bucket: string;
  endpoint: string;
  objectKey: string;
  encodedPolicy: string;
  signature: string;
}

interface Pending {
  /** `{bucket}.{endpoint}`: the host part of the URL the picture will be named by. */
  host: string;
  file: string;
  expiresAt: number;
  used: boolean;
}

/** The OSSAccessKeyId of the policies; it names the upload secret, not a user's key. */
export const UPLOAD_KEY_ID = 'tusou-upload';
const KEY_PREFIX = 'tusou-upload/';
const KEY = /^tusou-upload\/([0-9a-f]{32})$/;

/** Delete a file; a file already gone is fine. */
async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Split the upload host into the SDK's Bucket and Endpoint so that `{Bucket}.{Endpoint}` is the
 * host again: `127.0.0.1:8080` → `127` + `0.0.1:8080`, `search.example.com` → `search` + `example.com`
 * (no DNS needed, §7). `localhost` becomes 127.0.0.1.
 * @throws PARAM_INVALID when the host has no dot (e.g. an IPv6 address): set TUSOU_UPLOAD_HOST
 */
export function splitUploadHost(host: string): { bucket: string; endpoint: string } {
  const m = /^([^:[\]]+)(:\d{1,5})?$/.exec(host.trim());
  const hostname = m?.[1].toLowerCase();
  const port = m?.[2] ?? '';
  const name = hostname === 'localhost' ? '127.0.0.1' : hostname;
  const dot = name?.indexOf('.') ?? -1;
  if (!name || dot < 1 || dot === name.length - 1 || (name.includes(':') && isIP(name) === 6)) {
    throw new TusouError('PARAM_INVALID', { field: 'Host', expected: 'a host name with a dot or an IPv4 address for the upload URL (or set TUSOU_UPLOAD_HOST)', got: shown(host, 60) });
  }
  return { bucket: name.slice(0, dot), endpoint: name.slice(dot + 1) + port };
}

export class UploadStore {
  private readonly pending = new Map<string, Pending>();
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly opts: UploadOptions) {}

  /** Empty the directory (objects of a previous process are unusable) and start expiring objects. */
  async open(): Promise<void> {
    await rm(this.opts.dir, { recursive: true, force: true });
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    this.sweeper = setInterval(() => this.sweep().catch(this.opts.onError), Math.min(this.opts.ttlS, 60) * 1000);
    this.sweeper.unref();
  }

  /** Delete every object whose time is up. */
  async sweep(): Promise<void> {
    const now = this.opts.now();
    for (const [id, p] of this.pending) {
      if (p.expiresAt > now) continue;
      this.pending.delete(id);
      await removeFile(p.file);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Issue a POST policy for one picture, to be uploaded to `requestHost` (the Host the client used
   * for AuthorizeFileUpload) unless an upload host is configured.
   * @throws PARAM_INVALID when no usable upload host is known
   */
  authorize(requestHost: string): UploadGrant {
    const { bucket, endpoint } = splitUploadHost(this.opts.uploadHost ?? requestHost);
    const objectKey = `${KEY_PREFIX}${randomBytes(16).toString('hex')}`;
    const policy = {
      expiration: new Date(this.opts.now() + this.opts.ttlS * 1000).toISOString(),
      conditions: [['content-length-range', 1, this.opts.maxBytes], ['eq', '$key', objectKey], ['eq', '$bucket', bucket], ['eq', '$endpoint', endpoint]],
    };
    const encodedPolicy = Buffer.from(JSON.stringify(policy)).toString('base64');
    return { accessKeyId: UPLOAD_KEY_ID, bucket, endpoint, objectKey, encodedPolicy, signature: this.sign(encodedPolicy) };
  }

  /**
   * Accept a PostObject form: check the policy signature, expiry, key and size, then keep the file.
   * @throws BODY_INVALID, UPLOAD_POLICY_INVALID, AUTH_SIGNATURE_MISMATCH, IMAGE_EMPTY, IMAGE_TOO_LARGE
   */
  async receive(parts: readonly FormPart[]): Promise<{ bucket: string; key: string; bytes: number }> {
    const field = (name: string) => {
      const p = parts.find((x) => x.name === name && x.filename === undefined);
      return p?.data.toString('utf8');
    };
    if (field('OSSAccessKeyId') !== UPLOAD_KEY_ID) throw new TusouError('UPLOAD_POLICY_INVALID', { reason: 'OSSAccessKeyId is not one tusou issued' });
    const encoded = field('policy') ?? '';
    if (!sameText(this.sign(encoded), field('Signature') ?? '')) throw new TusouError('AUTH_SIGNATURE_MISMATCH');
    let policy: { expiration?: unknown; conditions?: unknown };
    try {
      policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as typeof policy;
    } catch (err) {
      throw new TusouError('UPLOAD_POLICY_INVALID', { reason: 'the policy is not base64 JSON' }, { cause: err });
    }
    const conditions = Array.isArray(policy.conditions) ? (policy.conditions as unknown[][]) : [];
    const eq = (name: string) => conditions.find((c) => c[0] === 'eq' && c[1] === name)?.[2];
    const expiresAt = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : NaN;
    if (!(expiresAt > this.opts.now())) throw new TusouError('UPLOAD_POLICY_INVALID', { reason: 'the upload policy expired; call AuthorizeFileUpload again' });
    const key = field('key');
    const id = KEY.exec(key ?? '')?.[1];
    if (!id || key !== eq('$key')) throw new TusouError('UPLOAD_POLICY_INVALID', { reason: 'key is not the one the policy allows' });
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined) ?? parts.find((p) => p.name === 'file');
    if (!file) throw new TusouError('IMAGE_MISSING');
    if (file.data.length === 0) throw new TusouError('IMAGE_EMPTY');
    if (file.data.length > this.opts.maxBytes) throw new TusouError('IMAGE_TOO_LARGE', { bytes: file.data.length, maxBytes: this.opts.maxBytes });
    if (this.pending.has(id)) throw new TusouError('UPLOAD_POLICY_INVALID', { reason: 'this key was already uploaded' });
    const bucket = String(eq('$bucket'));
    const path = join(this.opts.dir, id);
    this.pending.set(id, { host: `${bucket}.${String(eq('$endpoint'))}`.toLowerCase(), file: path, expiresAt: this.opts.now() + this.opts.ttlS * 1000, used: false });
    try {
      await writeFile(path, file.data, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      this.pending.delete(id);
      throw new TusouError('STORE_UNAVAILABLE', { reason: `cannot keep the upload (${(err as NodeJS.ErrnoException).code ?? 'error'})` }, { cause: err });
    }
    return { bucket, key: key as string, bytes: file.data.length };
  }

  /** True when a URL names an upload of this server (whether or not it is still there). */
  isUploadUrl(url: URL): boolean {
    return KEY.test(url.pathname.slice(1));
  }

  /**
   * The picture an upload URL names; it is deleted as it is read, so each upload serves once.
   * @throws IMAGE_URL_REJECTED when the upload is unknown, expired, used, or named by another host
   */
  async take(url: URL): Promise<Buffer> {
    const id = KEY.exec(url.pathname.slice(1))?.[1] ?? '';
    const p = this.pending.get(id);
    const shownUrl = shown(url.href, 120);
    if (!p || p.used || p.expiresAt <= this.opts.now()) throw new TusouError('IMAGE_URL_REJECTED', { url: shownUrl, reason: 'the upload expired or was already used' });
    if (url.host.toLowerCase() !== p.host) throw new TusouError('IMAGE_URL_REJECTED', { url: shownUrl, reason: 'the upload was issued for another host' });
    p.used = true;
    try {
      return await readFile(p.file);
    } finally {
      this.pending.delete(id);
      await removeFile(p.file);
    }
  }

  /** Stop expiring and delete every object. */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.pending.clear();
    await rm(this.opts.dir, { recursive: true, force: true });
  }

  private sign(encodedPolicy: string): string {
    return createHmac('sha1', this.opts.secret).update(encodedPolicy).digest('base64');
  }
}
