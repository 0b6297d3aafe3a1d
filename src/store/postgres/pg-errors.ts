// PostgreSQL failures the caller can act on, translated into catalogue errors at the store's
// boundary (fastify AVVIO_ERRORS_MAP); the rest are bugs and are rethrown as they are.

import { TusouError } from '../../domain/index.js';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** SQLSTATE (or Node network code) of a driver error, '' when it has none. */
export function sqlState(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** True for failures a transaction may simply retry: serialization failures and deadlocks. */
export function isRetryable(err: unknown): boolean {
  const c = sqlState(err);
  return c === '40001' || c === '40P01';
}

/** The reason a store failure is worth a 503, or undefined when it is not one. */
export function unavailableReason(err: unknown): string | undefined {
  const c = sqlState(err);
  const message = err instanceof Error ? err.message : '';
  if (NETWORK.has(c) || c.startsWith('08') || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return 'the database server is unreachable';
  }
  if (c === '57P01' || c === '57P02' || c === '57P03') return 'the database server is shutting down or starting';
  if (c === '53300') return 'the database server has too many connections';
  if (c === '53100') return 'the disk is full';
  if (c === '53200') return 'the database server is out of memory';
  if (c === '25006') return 'the database is read-only';
  if (c === '28P01' || c === '28000') return 'the database rejected the credentials';
  if (c === '3D000') return 'the database does not exist';
  if (c === '42501') return 'the database role lacks a privilege';
  if (c === '40001' || c === '40P01') return 'too many conflicting concurrent writes';
  return undefined;
}

/** Rethrow `err` as STORE_UNAVAILABLE when it is an outage, unchanged otherwise. */
export function translate(err: unknown): never {
  if (err instanceof TusouError) throw err;
  const reason = unavailableReason(err);
  if (reason) throw new TusouError('STORE_UNAVAILABLE', { reason }, { cause: err });
  throw err;
}
