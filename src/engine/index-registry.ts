// One collection (vector index + attribute table) per instance: prepared from its snapshot (or
// rebuilt from the store), then installed by the change follower once it has replayed what the
// store changed since; snapshotted every N changes with the change-feed position it reflects.

import { mkdirSync } from 'node:fs';
import { TusouError, type Instance } from '../domain/index.js';
import { Collection, deleteSnapshot, loadSnapshot, saveSnapshot, type SnapshotFacts } from '../index/index.js';
import type { Store } from '../store/index.js';
import { getExtractor } from '../vision/index.js';
import { linkPending } from './neighbours.js';

export interface OpenReport {
  instance: string;
  source: 'snapshot' | 'rebuilt';
  /** Why the snapshot was not used, when rebuilt. */
  reason?: string;
  /** How the snapshot was brought up to date: replaying the change feed, or comparing label sets. */
  catchUp?: 'replay' | 'reconcile';
  size: number;
  added: number;
  removed: number;
  ms: number;
}

/** A collection loaded or built but not installed yet: it reflects every change up to `watermark`. */
export interface PreparedIndex {
  instance: Instance;
  collection: Collection;
  watermark: number;
  report: OpenReport;
  startedAt: number;
}

/** Same index shape and incarnation: an open collection of `a` serves `b`. */
export function sameIndexing(a: Instance, b: Instance): boolean {
  return a.descriptor === b.descriptor && a.metric === b.metric && a.index === b.index && a.createdAt === b.createdAt;
}

export class IndexRegistry {
  private readonly open = new Map<string, { instance: Instance; collection: Collection; changes: number }>();
  private storeId?: string;

  /**
   * `position()` is the change-feed position every installed collection reflects (the
   * follower's); `onWarning` hears about snapshots that could not be written or removed.
   */
  constructor(
    private readonly store: Store, private readonly dir: string, private readonly snapshotEvery: number, private readonly position: () => number,
    private readonly onWarning: (message: string, details: Record<string, unknown>) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The facts an instance's snapshot must match. */
  static factsOf(instance: Instance): SnapshotFacts {
    const e = getExtractor(instance.descriptor);
    return { metric: instance.metric, kind: e.kind, dim: e.dim, parts: e.parts ?? false, spec: instance.index, descriptor: instance.descriptor };
  }

  private async origin(instance: Instance) {
    this.storeId ??= await this.store.storeId();
    return { storeId: this.storeId, epoch: instance.createdAt };
  }

  /** Fill the attribute table from the store; returns the labels the store holds. */
  private async loadAttributes(instance: Instance, c: Collection): Promise<Set<number>> {
    const live = new Set<number>();
    for await (const batch of this.store.scanAttributes(instance.name)) {
      for (const [label, a] of batch) {
        live.add(label);
        c.setAttributes(label, a);
      }
    }
    return live;
  }

  /**
   * Load the instance's snapshot, or build its collection from the store. A snapshot with a
   * watermark the change feed still covers is returned as it is (the caller replays from there);
   * one without (or further behind than the feed keeps) is reconciled by comparing label sets.
   * Attributes always come from the store (they are not snapshotted).
   */
  async prepare(instance: Instance): Promise<PreparedIndex> {
    const t0 = performance.now();
    const loaded = loadSnapshot(this.dir, instance.name, IndexRegistry.factsOf(instance), await this.origin(instance));
    const report: OpenReport = { instance: instance.name, source: loaded.collection ? 'snapshot' : 'rebuilt', size: 0, added: 0, removed: 0, ms: 0 };
    if (loaded.reason) report.reason = loaded.reason;
    const last = await this.store.lastChange();
    let collection: Collection;
    let watermark: number;
    if (loaded.collection && loaded.watermark !== undefined && loaded.watermark <= last
      && !(await this.store.changesSince(loaded.watermark, 1, instance.name)).trimmed) {
      collection = loaded.collection;
      watermark = loaded.watermark;
      report.catchUp = 'replay';
      await this.loadAttributes(instance, collection);
    } else if (loaded.collection) {
      // Labels are never reused, so a label in both places names the same vector.
      const c = loaded.collection;
      collection = c;
      watermark = last;
      report.catchUp = 'reconcile';
      const live = await this.loadAttributes(instance, c);
      for (const label of [...c.labels()]) if (!live.has(label) && c.remove(label)) report.removed++;
      const missing = [...live].filter((l) => !c.has(l));
      for (let i = 0; i < missing.length; i += 1000) {
        const vectors = await this.store.getVectors(instance.descriptor, missing.slice(i, i + 1000));
        for (const [label, v] of vectors) { c.add(label, v); report.added++; }
      }
    } else {
      watermark = last;
      collection = await this.build(instance);
      report.added = collection.size;
    }
    await linkPending(this.store, instance.descriptor, collection);
    return { instance, collection, watermark, report, startedAt: t0 };
  }

  /** Build a fresh collection of an instance from the store (neighbour lists linked), without installing it. */
  async build(instance: Instance): Promise<Collection> {
    const c = Collection.create(instance.index, IndexRegistry.factsOf(instance));
    for await (const batch of this.store.scanVectors(instance.name, instance.descriptor)) {
      for (const [label, v] of batch) c.add(label, v);
    }
    await this.loadAttributes(instance, c);
    await linkPending(this.store, instance.descriptor, c);
    return c;
  }

  /** Make `collection` the instance's (it must reflect every change up to position()). */
  install(instance: Instance, collection: Collection, changes: number): void {
    this.open.set(instance.name, { instance, collection, changes });
    if (changes >= this.snapshotEvery) this.snapshot(instance.name);
  }

  has(name: string): boolean {
    return this.open.has(name);
  }

  /** The instance as its open collection was built for. */
  instanceOf(name: string): Instance | undefined {
    return this.open.get(name)?.instance;
  }

  /**
   * The open collection of an instance; when `descriptor` is given it must hold vectors of it.
   * @throws INSTANCE_BUSY while the instance switches to another descriptor or is being opened
   */
  get(name: string, descriptor?: string): Collection {
    const entry = this.open.get(name);
    if (!entry || (descriptor !== undefined && entry.instance.descriptor !== descriptor)) throw new TusouError('INSTANCE_BUSY', { name });
    return entry.collection;
  }

  /** The descriptor whose vectors the open collection of `name` holds. */
  descriptorOf(name: string): string | undefined {
    return this.open.get(name)?.instance.descriptor;
  }

  /** Record `n` changes to an instance's collection; snapshot when enough have accumulated. */
  touched(name: string, n = 1): void {
    const entry = this.open.get(name);
    if (!entry || n === 0) return;
    entry.changes += n;
    if (entry.changes >= this.snapshotEvery) this.snapshot(name);
  }

  /**
   * Write the instance's snapshot now, if it changed since the last one. A snapshot that cannot be
   * written (full or read-only disk) is reported, never thrown: the store already holds every
   * change and start-up replays it. The next attempt comes after another `snapshotEvery` changes
   * (or at shutdown), not on every write.
   */
  snapshot(name: string): void {
    const entry = this.open.get(name);
    if (!entry || entry.changes === 0 || this.storeId === undefined) return;
    try {
      saveSnapshot(entry.collection, this.dir, name, entry.instance.descriptor, Date.now(), { storeId: this.storeId, epoch: entry.instance.createdAt, watermark: this.position() });
      entry.changes = 0;
    } catch (err) {
      entry.changes = 1;
      this.onWarning('the index snapshot could not be written; the store has every change and start-up replays them', {
        instance: name, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
      });
    }
  }

  /** Size of every open collection (for metrics). */
  sizes(): { instance: string; size: number }[] {
    return [...this.open].map(([instance, e]) => ({ instance, size: e.collection.size }));
  }

  /** Snapshot every collection that changed. */
  snapshotAll(): void {
    for (const name of this.open.keys()) this.snapshot(name);
  }

  /** Forget an instance's collection and its snapshot (a snapshot left behind is harmless: a new instance of that name does not match its epoch). */
  drop(name: string): void {
    this.open.delete(name);
    try {
      deleteSnapshot(this.dir, name);
    } catch (err) {
      this.onWarning('the snapshot of a deleted instance could not be removed', { instance: name, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }

  names(): string[] {
    return [...this.open.keys()];
  }
}
