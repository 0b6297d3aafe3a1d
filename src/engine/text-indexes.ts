// The text indexes of all instances: built from the store on first use, then kept current by
// the write operations (which only touch indexes already built).

import type { ImageRecord } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { TextIndex } from './text-index.js';

export class TextIndexes {
  private readonly built = new Map<string, Promise<TextIndex>>();

  constructor(private readonly store: Store) {}

  /** The text index of an instance, built from the store the first time. */
  of(instance: string): Promise<TextIndex> {
    let p = this.built.get(instance);
    if (!p) {
      p = this.build(instance);
      this.built.set(instance, p);
      p.catch(() => this.built.delete(instance));
    }
    return p;
  }

  private async build(instance: string): Promise<TextIndex> {
    const index = new TextIndex();
    let after = 0;
    for (;;) {
      const page = await this.store.listImages(instance, {}, { afterLabel: after, limit: 2000 });
      if (page.length === 0) return index;
      for (const r of page) index.upsert(r);
      after = page[page.length - 1].label;
    }
  }

  /** Record an added or changed image (and the label it replaced). */
  async upsert(instance: string, record: ImageRecord, replaced?: number): Promise<void> {
    const p = this.built.get(instance);
    if (!p) return;
    const index = await p;
    if (replaced !== undefined) index.remove(replaced);
    index.upsert(record);
  }

  async remove(instance: string, labels: readonly number[]): Promise<void> {
    const p = this.built.get(instance);
    if (!p) return;
    const index = await p;
    for (const l of labels) index.remove(l);
  }

  drop(instance: string): void {
    this.built.delete(instance);
  }
}
