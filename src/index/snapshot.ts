// Collection snapshots on disk: a small header file (magic, version, the facts needed to trust
// the payloads, and where they came from: store, instance incarnation, change-feed position) plus
// the payloads it names. Everything is written to temp files, fsynced and renamed, header last,
// so a crash leaves either the old snapshot or the new one, never a torn one. Attributes are not
// snapshotted: they are read from the store at start.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Collection, type SnapshotFiles } from './collection.js';
import type { IndexShape } from './vector-index.js';

const MAGIC = 'tusou-index';
const VERSION = 2;

/** What a snapshot header records; a load succeeds only if these match what the caller expects. */
export interface SnapshotFacts extends IndexShape {
  spec: string;
  descriptor: string;
}

/**
 * Where a snapshot's contents came from: the store (its id), the instance's incarnation (so a
 * deleted and re-created instance never inherits an old snapshot) and the store's change-feed
 * position every change up to which the snapshot reflects.
 */
export interface SnapshotOrigin {
  storeId: string;
  epoch: number;
  watermark: number;
}

interface Header extends SnapshotFacts, Partial<SnapshotOrigin> {
  magic: string;
  version: number;
  count: number;
  deleted: number;
  payloads: SnapshotFiles;
  bytes: { ann: number; exact?: number; neighbours?: number };
  savedAt: number;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

const ROLES = ['ann', 'exact', 'neighbours'] as const;

const headerPath = (dir: string, name: string) => join(dir, `${name}.index.json`);

/** Write a snapshot of a collection as `<dir>/<name>.index.json` + payloads, atomically. */
export function saveSnapshot(c: Collection, dir: string, name: string, descriptor: string, now = Date.now(), origin?: SnapshotOrigin): void {
  const stem = `${name}.${now.toString(36)}.${process.pid}`;
  const payloads: SnapshotFiles = {
    ann: `${stem}.ann.payload`, ...(c.exact ? { exact: `${stem}.exact.payload` } : {}), ...(c.neighbours ? { neighbours: `${stem}.neighbours.payload` } : {}),
  };
  const tmp = { ...payloads };
  for (const role of ROLES) if (payloads[role]) tmp[role] = join(dir, `${payloads[role]}.tmp`);
  c.writePayloads(tmp);
  const bytes: Header['bytes'] = { ann: 0 };
  for (const role of ROLES) {
    const file = payloads[role];
    const t = tmp[role];
    if (!file || !t) continue;
    fsyncPath(t);
    renameSync(t, join(dir, file));
    bytes[role] = statSync(join(dir, file)).size;
  }
  const header: Header = {
    magic: MAGIC, version: VERSION, spec: c.spec, metric: c.shape.metric, kind: c.shape.kind, dim: c.shape.dim, descriptor,
    count: c.size, deleted: c.deletedSlots, payloads, bytes, savedAt: now, ...origin,
  };
  const tmpHeader = `${headerPath(dir, name)}.tmp`;
  writeFileSync(tmpHeader, JSON.stringify(header));
  fsyncPath(tmpHeader);
  renameSync(tmpHeader, headerPath(dir, name));
  fsyncPath(dir);
  removeStalePayloads(dir, name, Object.values(payloads));
}

/** Delete payloads of `name` other than `keep` (older snapshots, interrupted writes). */
function removeStalePayloads(dir: string, name: string, keep: string[] = []): void {
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${name}.`) && (f.endsWith('.payload') || f.endsWith('.payload.tmp')) && !keep.includes(f)) unlinkSync(join(dir, f));
  }
}

/** Remove every snapshot file of `name`. */
export function deleteSnapshot(dir: string, name: string): void {
  if (existsSync(headerPath(dir, name))) unlinkSync(headerPath(dir, name));
  removeStalePayloads(dir, name);
}

/**
 * Load the snapshot of `name` if it exists and matches `expected` (and `origin`'s store and epoch,
 * when given); otherwise undefined (the caller rebuilds from the store). Never throws for a bad
 * snapshot: it reports why in `reason`. `watermark` is undefined for snapshots that predate it.
 */
export function loadSnapshot(dir: string, name: string, expected: SnapshotFacts, origin?: Omit<SnapshotOrigin, 'watermark'>): { collection?: Collection; reason?: string; watermark?: number } {
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
  if (origin && h.storeId !== undefined && h.storeId !== origin.storeId) return { reason: 'it was taken from another store' };
  if (origin && h.epoch !== undefined && h.epoch !== origin.epoch) return { reason: 'the instance was deleted and created again since' };
  const files = { ...h.payloads };
  for (const role of ROLES) if (h.payloads[role]) files[role] = join(dir, h.payloads[role]);
  for (const role of ROLES) {
    const f = files[role];
    if (f && (!existsSync(f) || statSync(f).size !== h.bytes[role])) return { reason: 'payload missing or truncated' };
  }
  try {
    const collection = Collection.read(h.spec, expected, files, h.deleted);
    // Payloads of snapshots a crash interrupted are garbage now (on a read-only disk they stay).
    try {
      removeStalePayloads(dir, name, Object.values(h.payloads));
    } catch {
      // Not removable now; the next snapshot removes them.
    }
    return { collection, watermark: h.watermark };
  } catch (err) {
    return { reason: `payload unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}
