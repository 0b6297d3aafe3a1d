// One collection (vector index + attribute table) per instance: loaded from its snapshot (or
// rebuilt from the store) at start, reconciled with the store's labels, updated on every write,
// snapshotted every N changes.

import { mkdirSync } from 'node:fs';
import { TusouError, type Instance } from '../domain/index.js';
import { Collection, deleteSnapshot, loadSnapshot, saveSnapshot, type SnapshotFacts } from '../index/index.js';
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
  private readonly collections = new Map<string, Collection>();
  /** The descriptor whose vectors each open collection holds. */
  private readonly descriptors = new Map<string, string>();
  private readonly changes = new Map<string, number>();

  constructor(private readonly store: Store, private readonly dir: string, private readonly snapshotEvery: number) {
    mkdirSync(dir, { recursive: true });
  }

  /** The facts an instance's snapshot must match. */
  static factsOf(instance: Instance): SnapshotFacts {
    const e = getExtractor(instance.descriptor);
    return { metric: instance.metric, kind: e.kind, dim: e.dim, spec: instance.index, descriptor: instance.descriptor };
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

  /** Build a collection from the store's vectors, ignoring any snapshot. */
  async build(instance: Instance): Promise<Collection> {
    const c = Collection.create(instance.index, IndexRegistry.factsOf(instance));
    for await (const batch of this.store.scanVectors(instance.name, instance.descriptor)) {
      for (const [label, v] of batch) c.add(label, v);
    }
    await this.loadAttributes(instance, c);
    return c;
  }

  /** Load or rebuild the collection of an instance and bring it up to date with the store. */
  async open(instance: Instance): Promise<OpenReport> {
    const t0 = performance.now();
    const loaded = loadSnapshot(this.dir, instance.name, IndexRegistry.factsOf(instance));
    let c: Collection;
    let added = 0;
    let removed = 0;
    if (loaded.collection) {
      c = loaded.collection;
      const live = await this.loadAttributes(instance, c);
      // Labels are never reused, so a label in both places names the same vector.
      for (const label of [...c.labels()]) if (!live.has(label) && c.remove(label)) removed++;
      const missing = [...live].filter((l) => !c.has(l));
      for (let i = 0; i < missing.length; i += 1000) {
        const vectors = await this.store.getVectors(instance.descriptor, missing.slice(i, i + 1000));
        for (const [label, v] of vectors) { c.add(label, v); added++; }
      }
    } else {
      c = await this.build(instance);
      added = c.size;
    }
    this.install(instance, c, loaded.collection ? added + removed : added);
    return {
      instance: instance.name, source: loaded.collection ? 'snapshot' : 'rebuilt', reason: loaded.reason,
      size: c.size, added, removed, ms: Math.round(performance.now() - t0),
    };
  }

  /** Make `c` the instance's collection; snapshot it when `changes` reach the interval. */
  install(instance: Instance, c: Collection, changes = c.size + 1): void {
    this.collections.set(instance.name, c);
    this.descriptors.set(instance.name, instance.descriptor);
    this.changes.set(instance.name, changes);
    if (changes >= this.snapshotEvery) this.snapshot(instance);
  }

  /**
   * The open collection of an instance; when `descriptor` is given it must hold vectors of it.
   * @throws INSTANCE_BUSY while the instance switches to another descriptor
   */
  get(name: string, descriptor?: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw new Error(`index of ${name} is not open`);
    if (descriptor !== undefined && this.descriptors.get(name) !== descriptor) throw new TusouError('INSTANCE_BUSY', { name });
    return c;
  }

  /** The descriptor whose vectors the open collection of `name` holds. */
  descriptorOf(name: string): string | undefined {
    return this.descriptors.get(name);
  }

  /** Record `n` changes to an instance's collection; snapshot when enough have accumulated. */
  touched(instance: Instance, n = 1): void {
    const c = (this.changes.get(instance.name) ?? 0) + n;
    this.changes.set(instance.name, c);
    if (c >= this.snapshotEvery) this.snapshot(instance);
  }

  /** Write the instance's snapshot now, if it changed since the last one. */
  snapshot(instance: Instance): void {
    const c = this.collections.get(instance.name);
    if (!c || (this.changes.get(instance.name) ?? 0) === 0) return;
    saveSnapshot(c, this.dir, instance.name, this.descriptors.get(instance.name) ?? instance.descriptor);
    this.changes.set(instance.name, 0);
  }

  drop(name: string): void {
    this.collections.delete(name);
    this.descriptors.delete(name);
    this.changes.delete(name);
    deleteSnapshot(this.dir, name);
  }
}
