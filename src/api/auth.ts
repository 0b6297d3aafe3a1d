// Who is calling: the bootstrap key of the configuration and the keys in the store, looked up for
// signatures (Alibaba API) and for `Authorization: Bearer <id>:<secret>` (REST API, console,
// metrics). A loopback-only server without any key is open to local callers.

import { timingSafeEqual } from 'node:crypto';
import { OPEN_ACCESS, TusouError, principalOf, type Principal } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import type { KeyLookup } from './aliyun/index.js';

export interface AuthOptions {
  /** The key of the configuration (TUSOU_ACCESS_KEY_ID/SECRET): unrestricted. */
  bootstrap?: { id: string; secret: string };
  /** True when the server listens on a loopback address only. */
  loopbackOnly: boolean;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Secret lengths are fixed per kind of key; the bytes are compared in constant time.
  return x.length === y.length && timingSafeEqual(x, y);
}

const BEARER = /^Bearer ([^\s:]{1,128}):(\S{1,256})$/;

/** Authentication of requests against the bootstrap key and the stored keys. */
export class Authenticator {
  constructor(private readonly engine: Engine, private readonly opts: AuthOptions) {}

  /** Secret lookup for signature verification (revoked keys are reported inactive). */
  readonly keys: KeyLookup = async (id) => {
    const boot = this.opts.bootstrap;
    if (boot && id === boot.id) return { secret: boot.secret, active: true };
    const key = await this.engine.findAccessKey(id);
    return key && { secret: key.secret, active: key.revokedAt === undefined };
  };

  /** The principal of a key whose signature was verified. */
  async principalOf(id: string): Promise<Principal> {
    const boot = this.opts.bootstrap;
    if (boot && id === boot.id) return { keyId: id, readOnly: false };
    const key = await this.engine.findAccessKey(id);
    if (!key) throw new TusouError('AUTH_KEY_NOT_FOUND', { accessKeyId: id.slice(0, 40) });
    return principalOf(key);
  }

  /**
   * True when requests without a key are served: loopback-only, no bootstrap key and no stored
   * key at all (revoking every key does not reopen a server). Checked per request, so creating
   * the first key closes the server at once.
   */
  async isOpen(): Promise<boolean> {
    if (this.opts.bootstrap || !this.opts.loopbackOnly) return false;
    return (await this.engine.listAccessKeys()).length === 0;
  }

  /**
   * The principal of an `Authorization` header (`Bearer <id>:<secret>`), or the open caller when
   * the server is open and no header was sent.
   * @throws AUTH_REQUIRED (no header, server not open), AUTH_KEY_INVALID (malformed, unknown id or
   *   wrong secret: indistinguishable on purpose), AUTH_KEY_REVOKED (right secret of a revoked key)
   */
  async fromBearer(header: string | undefined): Promise<Principal> {
    if (header === undefined || header === '') {
      if (await this.isOpen()) return OPEN_ACCESS;
      throw new TusouError('AUTH_REQUIRED');
    }
    const m = BEARER.exec(header);
    if (!m) throw new TusouError('AUTH_KEY_INVALID');
    const [, id, secret] = m;
    const boot = this.opts.bootstrap;
    if (boot && id === boot.id) {
      if (!sameSecret(secret, boot.secret)) throw new TusouError('AUTH_KEY_INVALID');
      return { keyId: id, readOnly: false };
    }
    const key = await this.engine.findAccessKey(id);
    // An unknown id still costs a comparison, so timing does not tell ids apart.
    if (!sameSecret(secret, key?.secret ?? '\0'.repeat(secret.length)) || !key) throw new TusouError('AUTH_KEY_INVALID');
    if (key.revokedAt !== undefined) throw new TusouError('AUTH_KEY_REVOKED', { accessKeyId: key.id });
    return principalOf(key);
  }
}
