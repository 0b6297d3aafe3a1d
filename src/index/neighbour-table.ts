// Database-side augmentation (DBA) keeps, for every image of an instance, its `k` nearest other
// images by cosine similarity of the full descriptor vectors. A search then scores each stored
// image by its vector plus its neighbours' (weighted by similarity³): images that agree with
// their neighbourhood move up together. The table only holds labels and similarities; the engine
// finds the neighbours (engine/neighbours.ts) and builds the augmented vectors from the store.
// Labels added without a list yet are pending until the engine links them; removing an image
// makes pending every image whose list named it, so lists refill.

import { readFileSync, writeFileSync } from 'node:fs';

export interface Neighbour {
  label: number;
  /** Cosine similarity of the two full vectors. */
  sim: number;
}

export class NeighbourTable {
  private readonly lists = new Map<number, Neighbour[]>();
  /** label → labels whose lists name it. */
  private readonly named = new Map<number, Set<number>>();
  /** Labels without a list (added since the last link, or whose list lost a neighbour). */
  readonly pending = new Set<number>();

  constructor(readonly k: number) {}

  get size(): number {
    return this.lists.size;
  }

  /** The neighbours of a label, nearest first (none while it is pending). */
  get(label: number): readonly Neighbour[] {
    return this.lists.get(label) ?? [];
  }

  /** A label that needs a list. */
  added(label: number): void {
    if (!this.lists.has(label)) this.pending.add(label);
  }

  /** Give a label its list: the `k` nearest of `candidates` (itself excluded). */
  set(label: number, candidates: readonly Neighbour[]): void {
    this.unlink(label);
    const list = candidates.filter((n) => n.label !== label).sort((a, b) => b.sim - a.sim).slice(0, this.k);
    this.lists.set(label, list);
    for (const n of list) this.name(n.label, label);
    this.pending.delete(label);
  }

  /** `other` joins the list of `label` when it is nearer than its k-th neighbour. */
  offer(label: number, other: number, sim: number): void {
    const list = this.lists.get(label);
    if (!list || label === other || list.some((n) => n.label === other)) return;
    if (list.length === this.k && sim <= list[this.k - 1].sim) return;
    list.push({ label: other, sim });
    list.sort((a, b) => b.sim - a.sim);
    for (const dropped of list.splice(this.k)) this.named.get(dropped.label)?.delete(label);
    this.name(other, label);
  }

  /** Forget a label; the images whose lists named it become pending. */
  remove(label: number): void {
    this.unlink(label);
    this.pending.delete(label);
    for (const owner of this.named.get(label) ?? []) {
      this.unlink(owner);
      this.pending.add(owner);
    }
    this.named.delete(label);
  }

  private name(label: number, owner: number): void {
    let s = this.named.get(label);
    if (!s) { s = new Set(); this.named.set(label, s); }
    s.add(owner);
  }

  private unlink(label: number): void {
    for (const n of this.lists.get(label) ?? []) this.named.get(n.label)?.delete(label);
    this.lists.delete(label);
  }

  /** Rows of `2 + 2k` float64: label, count, then (label, similarity) pairs. */
  writePayload(file: string): void {
    const width = 2 + 2 * this.k;
    const out = new Float64Array(1 + this.lists.size * width);
    out[0] = this.k;
    let o = 1;
    for (const [label, list] of this.lists) {
      out[o] = label;
      out[o + 1] = list.length;
      list.forEach((n, i) => { out[o + 2 + 2 * i] = n.label; out[o + 3 + 2 * i] = n.sim; });
      o += width;
    }
    writeFileSync(file, new Uint8Array(out.buffer));
  }

  /** @throws RangeError when the payload is not a table of `k` neighbours */
  static read(k: number, file: string): NeighbourTable {
    const buf = readFileSync(file);
    const width = 2 + 2 * k;
    if (buf.byteLength % 8 !== 0) throw new RangeError('neighbour payload: not float64 rows');
    const data = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    if (data[0] !== k || (data.length - 1) % width !== 0) throw new RangeError(`neighbour payload: expected rows of ${k} neighbours`);
    const t = new NeighbourTable(k);
    for (let o = 1; o < data.length; o += width) {
      const list: Neighbour[] = [];
      for (let i = 0; i < data[o + 1]; i++) list.push({ label: data[o + 2 + 2 * i], sim: data[o + 3 + 2 * i] });
      t.set(data[o], list);
    }
    return t;
  }
}
