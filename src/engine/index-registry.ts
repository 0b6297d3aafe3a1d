// One vector index per instance: loaded from its snapshot (or rebuilt from the store) at start,
// reconciled with the store's labels, updated on every write, snapshotted every N changes.

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
  size: number;
  added: number;
  removed: number;
  ms: number;
}

export class IndexRegistry {
  private readonly indexes = new Map<string, VectorIndex>();
  /** The descriptor whose vectors each open index holds. */
  private readonly descriptors = new Map<string, string>();
  private readonly changes = new Map<string, number>();

  constructor(
    private readonly store: Store, private readonly dir: string, private readonly snapshotEvery: number,
    private readonly onWarning: (message: string, details: Record<string, unknown>) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The shape an instance's index must have. */
  static shapeOf(instance: Instance) {
    const e = getExtractor(instance.descriptor);
    return { metric: instance.metric, kind: e.kind, dim: e.dim, spec: instance.index, descriptor: instance.descriptor };
  }

  /** Load or rebuild the index of an instance and bring it up to date with the store. */
  async open(instance: Instance): Promise<OpenReport> {
    const t0 = performance.now();
    const facts = IndexRegistry.shapeOf(instance);
    const loaded = loadSnapshot(this.dir, instance.name, facts);
    const index = loaded.index ?? createIndex(instance.index, facts);
    let added = 0;
    let removed = 0;
    if (loaded.index) {
      // Labels are never reused, so a label in both places names the same vector.
      const live = new Set(await this.store.selectLabels(instance.name, {}));
      for (const label of [...index.labels()]) if (!live.has(label) && index.remove(label)) removed++;
      const missing = [...live].filter((l) => !index.has(l));
      for (let i = 0; i < missing.length; i += 1000) {
        const vectors = await this.store.getVectors(instance.descriptor, missing.slice(i, i + 1000));
        for (const [label, v] of vectors) { index.add(label, v); added++; }
      }
    } else {
      for await (const batch of this.store.scanVectors(instance.name, instance.descriptor)) {
        for (const [label, v] of batch) { index.add(label, v); added++; }
      }
    }
    this.indexes.set(instance.name, index);
    this.descriptors.set(instance.name, instance.descriptor);
    this.changes.set(instance.name, loaded.index ? added + removed : added);
    if ((this.changes.get(instance.name) ?? 0) >= this.snapshotEvery) this.snapshot(instance);
    return {
      instance: instance.name, source: loaded.index ? 'snapshot' : 'rebuilt', reason: loaded.reason,
      size: index.size, added, removed, ms: Math.round(performance.now() - t0),
    };
  }

  /** Build a fresh index of an instance from the store, without installing it. */
  async build(instance: Instance): Promise<VectorIndex> {
    const index = createIndex(instance.index, IndexRegistry.shapeOf(instance));
    for await (const batch of this.store.scanVectors(instance.name, instance.descriptor)) {
      for (const [label, v] of batch) index.add(label, v);
    }
    return index;
  }

  /** Replace an instance's index (after a reindex) and snapshot it. */
  install(instance: Instance, index: VectorIndex): void {
    this.indexes.set(instance.name, index);
    this.descriptors.set(instance.name, instance.descriptor);
    this.changes.set(instance.name, index.size + 1);
    this.snapshot(instance);
  }

  /**
   * The open index of an instance; when `descriptor` is given it must hold vectors of it.
   * @throws INSTANCE_BUSY while the instance switches to another descriptor
   */
  get(name: string, descriptor?: string): VectorIndex {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`index of ${name} is not open`);
    if (descriptor !== undefined && this.descriptors.get(name) !== descriptor) throw new TusouError('INSTANCE_BUSY', { name });
    return index;
  }

  /** The descriptor whose vectors the open index of `name` holds. */
  descriptorOf(name: string): string | undefined {
    return this.descriptors.get(name);
  }

  /** Record `n` changes to an instance's index; snapshot when enough have accumulated. */
  touched(instance: Instance, n = 1): void {
    const c = (this.changes.get(instance.name) ?? 0) + n;
    this.changes.set(instance.name, c);
    if (c >= this.snapshotEvery) this.snapshot(instance);
  }

  /**
   * Write the instance's snapshot now, if it changed since the last one. A snapshot that cannot be
   * written (full or read-only disk) is reported, never thrown: the store already holds every
   * change and start-up replays it. The next attempt comes after another `snapshotEvery` changes
   * (or at shutdown), not on every write.
   */
  snapshot(instance: Instance): void {
    const index = this.indexes.get(instance.name);
    if (!index || (this.changes.get(instance.name) ?? 0) === 0) return;
    try {
      saveSnapshot(index, this.dir, instance.name, instance.descriptor);
      this.changes.set(instance.name, 0);
    } catch (err) {
      this.changes.set(instance.name, 1);
      this.onWarning('the index snapshot could not be written; the store has every change and start-up replays them', {
        instance: instance.name, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
      });
    }
  }

  /** Vectors in each open index. */
  sizes(): { instance: string; size: number }[] {
    return [...this.indexes].map(([instance, index]) => ({ instance, size: index.size }));
  }

  /** Forget an instance's index and its snapshot (a snapshot left behind is harmless: a new instance of that name reconciles it with the store). */
  drop(name: string): void {
    this.indexes.delete(name);
    this.descriptors.delete(name);
    this.changes.delete(name);
    try {
      deleteSnapshot(this.dir, name);
    } catch (err) {
      this.onWarning('the snapshot of a deleted instance could not be removed', { instance: name, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
}
