// Access keys: the (id, secret) pairs that sign Alibaba-compatible requests and authenticate REST
// calls, with their scope (which instances, read-only or not, how many requests per second), and
// the one rule that decides whether a caller may do something.

import { TusouError, shown } from './errors.js';

/** A stored access key. The secret is needed in clear to verify HMAC signatures. */
export interface AccessKey {
  id: string;
  secret: string;
  description: string;
  createdAt: number;
  /** Set once the key is revoked; a revoked key never signs again. */
  revokedAt?: number;
  /** The instances this key may use; absent = every instance, and managing instances. */
  instances?: readonly string[];
  /** True when the key may only read and search, never change images or instances. */
  readOnly?: boolean;
  /** Requests per second this key may make; absent = the server's default (TUSOU_QPS_PER_KEY). */
  qps?: number;
}

/** What may be shown about a key: everything but the secret. */
export type AccessKeyInfo = Omit<AccessKey, 'secret'>;

/**
 * What an operation needs: `read` (search, get, list, export) or `write` (add, update, delete
 * images, start imports) on one instance, or `admin` (create, delete, reindex instances, metrics).
 */
export type AccessNeed = 'read' | 'write' | 'admin';

/** The caller of a request, once authenticated. */
export interface Principal {
  /** The key that authenticated the request; absent on a loopback server without keys. */
  keyId?: string;
  instances?: readonly string[];
  readOnly: boolean;
  qps?: number;
}

/** The caller on a loopback-only server that has no keys: may do everything. */
export const OPEN_ACCESS: Principal = Object.freeze({ readOnly: false });

/** The principal a key stands for. */
export function principalOf(key: Pick<AccessKey, 'id' | 'instances' | 'readOnly' | 'qps'>): Principal {
  return { keyId: key.id, instances: key.instances, readOnly: key.readOnly ?? false, qps: key.qps };
}

/** True when the principal may see this instance at all (for filtering listings). */
export function canSee(p: Principal, instance: string): boolean {
  return p.instances === undefined || p.instances.includes(instance);
}

/**
 * Check that a principal may do what an operation needs (on `instance` for read and write).
 * @throws AUTH_FORBIDDEN naming the key and what its scope lacks
 */
export function authorize(p: Principal, need: AccessNeed, instance?: string): void {
  const who = p.keyId ? `key ${p.keyId}` : 'this caller';
  if (need === 'admin') {
    if (p.readOnly || p.instances !== undefined) {
      throw new TusouError('AUTH_FORBIDDEN', { reason: `${who} is ${p.readOnly ? 'read-only' : `limited to instances ${p.instances!.join(', ')}`}; managing instances needs an unrestricted key` });
    }
    return;
  }
  if (instance !== undefined && !canSee(p, instance)) {
    throw new TusouError('AUTH_FORBIDDEN', { reason: `${who} may only use instances ${p.instances!.join(', ') || '(none)'}, not ${shown(instance, 40)}` });
  }
  if (need === 'write' && p.readOnly) throw new TusouError('AUTH_FORBIDDEN', { reason: `${who} is read-only` });
}
