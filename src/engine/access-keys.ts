// Access keys kept in the store: create (the secret is returned once), list, revoke, look up.

import { randomInt } from 'node:crypto';
import { TusouError, shown, validateInstanceName, type AccessKey, type AccessKeyInfo } from '../domain/index.js';
import type { EngineContext } from './context.js';

const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** What a new key is for and what it may do; absent fields mean unrestricted. */
export interface AccessKeyInput {
  description?: unknown;
  /** Instance names (they need not exist yet); absent = every instance. */
  instances?: unknown;
  readOnly?: unknown;
  /** Requests per second, 1..100000; absent = the server default. */
  qps?: unknown;
}

/** The scope fields of a new key, validated. */
function scopeOf(input: AccessKeyInput): Pick<AccessKey, 'instances' | 'readOnly' | 'qps'> {
  const scope: Pick<AccessKey, 'instances' | 'readOnly' | 'qps'> = {};
  if (input.instances !== undefined) {
    if (!Array.isArray(input.instances) || input.instances.length === 0 || input.instances.length > 1000) {
      throw new TusouError('PARAM_INVALID', { field: 'instances', expected: 'a list of 1..1000 instance names', got: shown(input.instances) });
    }
    scope.instances = [...new Set(input.instances.map((n) => validateInstanceName(n)))];
  }
  if (input.readOnly !== undefined) {
    if (typeof input.readOnly !== 'boolean') throw new TusouError('PARAM_INVALID', { field: 'readOnly', expected: 'true or false', got: shown(input.readOnly) });
    if (input.readOnly) scope.readOnly = true;
  }
  if (input.qps !== undefined) {
    if (typeof input.qps !== 'number' || !Number.isInteger(input.qps) || input.qps < 1 || input.qps > 100_000) {
      throw new TusouError('PARAM_INVALID', { field: 'qps', expected: 'an integer in 1..100000', got: shown(input.qps) });
    }
    scope.qps = input.qps;
  }
  return scope;
}

/**
 * Create a key: id `TS` + 22 characters, secret of 30 characters (≈178 bits). The secret is
 * returned here and never shown again by listings. A key may be limited to some instances, to
 * reading, and to a number of requests per second.
 * @throws PARAM_INVALID for a description that is not a string of at most 200 characters or a bad
 *   scope; INSTANCE_NAME_INVALID for a bad instance name in the scope
 */
export async function createAccessKey(ctx: EngineContext, input: AccessKeyInput = {}): Promise<AccessKey> {
  const description = input.description ?? '';
  // eslint-disable-next-line no-control-regex
  if (typeof description !== 'string' || description.length > 200 || /[\u0000-\u001f\u007f]/.test(description)) {
    throw new TusouError('PARAM_INVALID', { field: 'description', expected: 'text of at most 200 characters', got: shown(description) });
  }
  const key: AccessKey = {
    id: `TS${randomString(ID_ALPHABET, 22)}`,
    secret: randomString(SECRET_ALPHABET, 30),
    description,
    createdAt: ctx.now(),
    ...scopeOf(input),
  };
  await ctx.store.createAccessKey(key);
  return key;
}

/** Every stored key without its secret, oldest first. */
export async function listAccessKeys(ctx: EngineContext): Promise<AccessKeyInfo[]> {
  return (await ctx.store.listAccessKeys()).map(({ secret: _secret, ...info }) => info);
}

/** Revoke a key; it stops signing at once. @throws AUTH_KEY_NOT_FOUND */
export async function revokeAccessKey(ctx: EngineContext, id: string): Promise<void> {
  if (!(await ctx.store.revokeAccessKey(id, ctx.now()))) throw new TusouError('AUTH_KEY_NOT_FOUND', { accessKeyId: shown(id, 40) });
}

/** The stored key with this id (revoked ones included), for signature checks. */
export async function findAccessKey(ctx: EngineContext, id: string): Promise<AccessKey | undefined> {
  return ctx.store.getAccessKey(id);
}
