// Index snapshots on disk: a small header file (magic, version, and the facts needed to trust
// the payload) plus the payload it names. Both are written to temp files, fsynced and renamed,
// header last, so a crash leaves either the old snapshot or the new one, never a torn one.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlatIndex } from './flat-index.js';
import { HnswIndex } from './hnsw-index.js';
import { parseIndexSpec } from './spec.js';
import type { IndexShape, VectorIndex } from './vector-index.js';

const MAGIC = 'tusou-index';
const VERSION = 1;

/** What a snapshot header records; a load succeeds only if these match what the caller expects. */
export interface SnapshotFacts extends IndexShape {
  spec: string;
  descriptor: string;
}

interface Header extends SnapshotFacts {
  magic: string;
  version: number;
  count: number;
  deleted: number;
  payload: string;
  payloadBytes: number;
  savedAt: number;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

const headerPath = (dir: string, name: string) => join(dir, `${name}.index.json`);

/** Build an empty index for a spec and shape. */
export function createIndex(spec: string, shape: IndexShape): VectorIndex {
  const parsed = parseIndexSpec(spec);
  return parsed.kind === 'hnsw' ? HnswIndex.create(shape, parsed) : new FlatIndex(shape);
}

/** Write a snapshot of `index` as `<dir>/<name>.index.json` + payload, atomically. */
export function saveSnapshot(index: VectorIndex, dir: string, name: string, descriptor: string, now = Date.now()): void {
  const payload = `${name}.${now.toString(36)}.${process.pid}.payload`;
  const tmpPayload = join(dir, `${payload}.tmp`);
  index.writePayload(tmpPayload);
  fsyncPath(tmpPayload);
  renameSync(tmpPayload, join(dir, payload));
  const header: Header = {
    magic: MAGIC, version: VERSION, spec: index.spec, metric: index.metric, kind: index.kind, dim: index.dim, descriptor,
    count: index.size, deleted: index instanceof HnswIndex ? index.deletedSlots : 0,
    payload, payloadBytes: statSync(join(dir, payload)).size, savedAt: now,
  };
  const tmpHeader = `${headerPath(dir, name)}.tmp`;
  writeFileSync(tmpHeader, JSON.stringify(header));
  fsyncPath(tmpHeader);
  renameSync(tmpHeader, headerPath(dir, name));
  fsyncPath(dir);
  removeStalePayloads(dir, name, payload);
}

/** Delete payloads of `name` other than `keep` (older snapshots, interrupted writes). */
function removeStalePayloads(dir: string, name: string, keep?: string): void {
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${name}.`) && (f.endsWith('.payload') || f.endsWith('.payload.tmp')) && f !== keep) unlinkSync(join(dir, f));
  }
}

/** Remove every snapshot file of `name`. */
export function deleteSnapshot(dir: string, name: string): void {
  if (existsSync(headerPath(dir, name))) unlinkSync(headerPath(dir, name));
  removeStalePayloads(dir, name);
}

/**
 * Load the snapshot of `name` if it exists and matches `expected`; otherwise undefined (the caller
 * rebuilds from the store). Never throws for a bad snapshot: it reports why in `reason`.
 */
export function loadSnapshot(dir: string, name: string, expected: SnapshotFacts): { index?: VectorIndex; reason?: string } {
  const hp = headerPath(dir, name);
  if (!existsSync(hp)) return { reason: 'no snapshot' };
  let h: Header;
  try {
    h = JSON.parse(readFileSync(hp, 'utf8')) as Header;
  } catch {
    return { reason: 'unreadable header' };
  }
  if (h.magic !== MAGIC || h.version !== VERSION) return { reason: `unknown format ${h.magic}@${h.version}` };
  for (const k of ['spec', 'metric', 'kind', 'dim', 'descriptor'] as const) {
    if (h[k] !== expected[k]) return { reason: `${k} changed (${h[k]} -> ${expected[k]})` };
  }
  const pp = join(dir, h.payload);
  if (!existsSync(pp) || statSync(pp).size !== h.payloadBytes) return { reason: 'payload missing or truncated' };
  try {
    const parsed = parseIndexSpec(h.spec);
    const index = parsed.kind === 'hnsw' ? HnswIndex.read(expected, parsed, pp, h.deleted) : FlatIndex.read(expected, pp);
    // Payloads of snapshots a crash interrupted are garbage now (on a read-only disk they stay).
    try {
      removeStalePayloads(dir, name, h.payload);
    } catch {
      // Not removable now; the next snapshot removes them.
    }
    return { index };
  } catch (err) {
    return { reason: `payload unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}
