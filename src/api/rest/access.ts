// What each REST request needs from its caller's key: the one table from method + path to
// read / write / admin and the instance it touches.

import type { AccessNeed } from '../../domain/index.js';

export interface RestAccess {
  need: AccessNeed;
  /** The instance named in the path (decoded), if any. */
  instance?: string;
}

/** Paths anyone may call, even without a key (liveness and readiness probes). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/api/v1/health', '/api/v1/ready']);

const INSTANCE_PATH = /^\/api\/v1\/instances\/([^/]+)(\/.*)?$/;
/** POSTs under an instance that only read (searches and comparisons). */
const READING_POSTS = new Set(['/search', '/search/by-image', '/search/by-text', '/compare']);

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The access a REST request needs; undefined for public paths. */
export function restAccess(method: string, path: string): RestAccess | undefined {
  if (PUBLIC_PATHS.has(path)) return undefined;
  const m = INSTANCE_PATH.exec(path);
  const reading = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  if (!m) {
    // /instances (create = admin, list = read, filtered to the key's instances), /descriptors, /openapi.json.
    return { need: reading ? 'read' : 'admin' };
  }
  const instance = decoded(m[1]);
  const rest = m[2] ?? '';
  if (reading) return { need: 'read', instance };
  if ((method === 'DELETE' && rest === '') || rest === '/reindex') return { need: 'admin', instance };
  if (method === 'POST' && READING_POSTS.has(rest)) return { need: 'read', instance };
  return { need: 'write', instance };
}
