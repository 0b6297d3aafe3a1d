// One vector index per instance: prepared from its snapshot (or rebuilt from the store), then
// installed by the change follower once it has replayed what the store changed since; snapshotted
// every N changes with the change-feed position it reflects.

import { mkdirSync } from 'node:fs';
import { TusouError, type Instance } from '../domain/index.js';
import { createIndex, deleteSnapshot, loadSnapshot, saveSnapshot, type VectorIndex } from '../index/index.js';
import type { Store } from '../store/index.js';
import { getExtractor } from '../vision/index.js';

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

/** An index loaded or built but not installed yet: it reflects every change up to `watermark`. */
export interface PreparedIndex {
  instance: Instance;
  index: VectorIndex;
  watermark: number;
  report: OpenReport;
  startedAt: number;
}

/** Same index shape and incarnation: an open index of `a` serves `b`. */
export function sameIndexing(a: Instance, b: Instance): boolean {
  return a.descriptor === b.descriptor && a.metric === b.metric && a.index === b.index && a.createdAt === b.createdAt;
}

export class IndexRegistry {
  private readonly open = new Map<string, { instance: Instance; index: VectorIndex; changes: number }>();
  private storeId?: string;

  /** `position()` is the change-feed position every installed index reflects (the follower's). */
  constructor(private readonly store: Store, private readonly dir: string, private readonly snapshotEvery: number, private readonly position: () => number) {
    mkdirSync(dir, { recursive: true });
  }

  /** The shape an instance's index must have. */
  static shapeOf(instance: Instance) {
    const e = getExtractor(instance.descriptor);
    return { metric: instance.metric, kind: e.kind, dim: e.dim, spec: instance.index, descriptor: instance.descriptor };
  }

  private async origin(instance: Instance) {
    this.storeId ??= await this.store.storeId();
    return { storeId: this.storeId, epoch: instance.createdAt };
  }

  /**
   * Load the instance's snapshot, or build its index from the store. A snapshot with a watermark
   * the change feed still covers is returned as it is (the caller replays from there); one without
   * (or further behind than the feed keeps) is reconciled by comparing label sets.
   */
  async prepare(instance: Instance): Promise<PreparedIndex> {
    const t0 = performance.now();
    const facts = IndexRegistry.shapeOf(instance);
    const loaded = loadSnapshot(this.dir, instance.name, facts, await this.origin(instance));
    const report: OpenReport = { instance: instance.name, source: loaded.index ? 'snapshot' : 'rebuilt', size: 0, added: 0, removed: 0, ms: 0 };
    if (loaded.reason) report.reason = loaded.reason;
    const last = await this.store.lastChange();
    let index: VectorIndex;
    let watermark: number;
    if (loaded.index && loaded.watermark !== undefined && loaded.watermark <= last
      && !(await this.store.changesSince(loaded.watermark, 1, instance.name)).trimmed) {
      index = loaded.index;
      watermark = loaded.watermark;
      report.catchUp = 'replay';
    } else if (loaded.index) {
      // Labels are never reused, so a label in both places names the same vector.
      index = loaded.index;
      watermark = last;
      report.catchUp = 'reconcile';
      const live = new Set(await this.store.selectLabels(instance.name, {}));
      for (const label of [...index.labels()]) if (!live.has(label) && index.remove(label)) report.removed++;
      const missing = [...live].filter((l) => !index.has(l));
      for (let i = 0; i < missing.length; i += 1000) {
        const vectors = await this.store.getVectors(instance.descriptor, missing.slice(i, i + 1000));
        for (const [label, v] of vectors) { index.add(label, v); report.added++; }
      }
    } else {
      watermark = last;
      index = await this.build(instance);
      report.added = index.size;
    }
    return { instance, index, watermark, report, startedAt: t0 };
  }

  /** Build a fresh index of an instance from the store, without installing it. */
  async build(instance: Instance): Promise<VectorIndex> {
    const index = createIndex(instance.index, IndexRegistry.shapeOf(instance));
    for await (const batch of this.store.scanVectors(instance.name, instance.descriptor)) {
      for (const [label, v] of batch) index.add(label, v);
    }
    return index;
  }

  /** Make `index` the instance's index (it must reflect every change up to position()). */
  install(instance: Instance, index: VectorIndex, changes: number): void {
    this.open.set(instance.name, { instance, index, changes });
    if (changes >= this.snapshotEvery) this.snapshot(instance.name);
  }

  has(name: string): boolean {
    return this.open.has(name);
  }

  /** The instance as its open index was built for. */
  instanceOf(name: string): Instance | undefined {
    return this.open.get(name)?.instance;
  }

  /**
   * The open index of an instance; when `descriptor` is given it must hold vectors of it.
   * @throws INSTANCE_BUSY while the instance switches to another descriptor or is being opened
   */
  get(name: string, descriptor?: string): VectorIndex {
    const entry = this.open.get(name);
    if (!entry || (descriptor !== undefined && entry.instance.descriptor !== descriptor)) throw new TusouError('INSTANCE_BUSY', { name });
    return entry.index;
  }

  /** The descriptor whose vectors the open index of `name` holds. */
  descriptorOf(name: string): string | undefined {
    return this.open.get(name)?.instance.descriptor;
  }

  /** Record `n` changes to an instance's index; snapshot when enough have accumulated. */
  touched(name: string, n = 1): void {
    const entry = this.open.get(name);
    if (!entry || n === 0) return;
    entry.changes += n;
    if (entry.changes >= this.snapshotEvery) this.snapshot(name);
  }

  /** Write the instance's snapshot now, if it changed since the last one. */
  snapshot(name: string): void {
    const entry = this.open.get(name);
    if (!entry || entry.changes === 0 || this.storeId === undefined) return;
    saveSnapshot(entry.index, this.dir, name, entry.instance.descriptor, Date.now(), { storeId: this.storeId, epoch: entry.instance.createdAt, watermark: this.position() });
    entry.changes = 0;
  }

  /** Snapshot every index that changed. */
  snapshotAll(): void {
    for (const name of this.open.keys()) this.snapshot(name);
  }

  drop(name: string): void {
    this.open.delete(name);
    deleteSnapshot(this.dir, name);
  }

  names(): string[] {
    return [...this.open.keys()];
  }
}
