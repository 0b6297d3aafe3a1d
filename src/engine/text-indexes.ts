// The text indexes of all instances: built from the store on first use (through the change
// follower, which replays what changed during the build), then kept current by the follower.

import type { ImageRecord } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { TextIndex } from './text-index.js';

export class TextIndexes {
  private readonly built = new Map<string, TextIndex>();
  private readonly building = new Map<string, Promise<TextIndex>>();

  /** `install(name, build)` runs a finished build through the follower, which installs it. */
  constructor(private readonly store: Store, private readonly install: (instance: string, build: TextIndex, from: number) => Promise<TextIndex>, private readonly position: () => number) {}

  /** The text index of an instance, built from the store the first time. */
  of(instance: string): Promise<TextIndex> {
    const ready = this.built.get(instance);
    if (ready) return Promise.resolve(ready);
    let p = this.building.get(instance);
    if (!p) {
      p = this.build(instance).finally(() => this.building.delete(instance));
      this.building.set(instance, p);
    }
    return p;
  }

  private async build(instance: string): Promise<TextIndex> {
    const from = this.position();
    const index = new TextIndex();
    let after = 0;
    for (;;) {
      const page = await this.store.listImages(instance, {}, { afterLabel: after, limit: 2000 });
      if (page.length === 0) break;
      for (const r of page) index.upsert(r);
      after = page[page.length - 1].label;
    }
    return this.install(instance, index, from);
  }

  /** Installed by the follower after it replayed (from, position]. */
  set(instance: string, index: TextIndex): void {
    this.built.set(instance, index);
  }

  /** The built text index of an instance, if any. */
  get(instance: string): TextIndex | undefined {
    return this.built.get(instance);
  }

  /** Make the text index agree with the store for these labels: `records` holds the ones that exist. */
  static sync(index: TextIndex, labels: readonly number[], records: ReadonlyMap<number, ImageRecord>): void {
    for (const l of labels) {
      const r = records.get(l);
      if (r) index.upsert(r);
      else index.remove(l);
    }
  }

  drop(instance: string): void {
    this.built.delete(instance);
  }
}
