// Database-side augmentation (DBA) keeps, for every image of an instance, its `k` nearest other
// images by cosine similarity of the full descriptor vectors. A search then scores each stored
// image by its vector plus its neighbours' (weighted by similarity³): images that agree with
// their neighbourhood move up together. The table only holds labels and similarities; the engine
// finds the neighbours (engine/neighbours.ts) and builds the augmented vectors from the store.
// Labels added without a list yet are pending until the engine links them; after images are
// removed, a sweep makes pending every image whose list named one, so lists refill.

import { readFileSync, writeFileSync } from 'node:fs';

export interface Neighbour {
  label: number;
  /** Cosine similarity of the two full vectors. */
  sim: number;
}

export class NeighbourTable {
  /** label → slot in the typed arrays below (compact: about 80 bytes per image). */
  private readonly slots = new Map<number, number>();
  private readonly free: number[] = [];
  /** Per slot: its list's length, or -1 while the label has none. */
  private count = new Int8Array(0);
  private nLabels = new Float64Array(0);
  private nSims = new Float32Array(0);
  /** Labels removed since the last sweep (the lists naming them are found then). */
  private readonly gone = new Set<number>();
  /** Labels without a list (added since the last link, or whose list lost a neighbour). */
  readonly pending = new Set<number>();

  constructor(readonly k: number) {}

  /** Labels with a list. */
  get size(): number {
    return this.slots.size - this.pending.size;
  }

  /** The neighbours of a label, nearest first (none while it is pending). */
  get(label: number): Neighbour[] {
    const slot = this.slots.get(label);
    const out: Neighbour[] = [];
    if (slot === undefined) return out;
    for (let i = 0; i < this.count[slot]; i++) out.push({ label: this.nLabels[slot * this.k + i], sim: this.nSims[slot * this.k + i] });
    return out;
  }

  /** A label that needs a list (unless it has one). */
  added(label: number): void {
    if (this.slots.has(label)) return;
    this.slotOf(label);
    this.pending.add(label);
  }

  /** Give a label its list: the `k` nearest of `candidates` (itself excluded). */
  set(label: number, candidates: readonly Neighbour[]): void {
    this.write(this.slotOf(label), candidates.filter((n) => n.label !== label).sort((a, b) => b.sim - a.sim));
    this.pending.delete(label);
  }

  /** `other` joins the list of `label` when it is nearer than its k-th neighbour. */
  offer(label: number, other: number, sim: number): void {
    const slot = this.slots.get(label);
    if (slot === undefined || this.count[slot] < 0 || label === other) return;
    const list = this.get(label);
    if (list.some((n) => n.label === other)) return;
    if (list.length === this.k && sim <= list[this.k - 1].sim) return;
    list.push({ label: other, sim });
    this.write(slot, list.sort((a, b) => b.sim - a.sim));
  }

  /** Forget a label; `sweep` makes pending the images whose lists named it. */
  remove(label: number): void {
    this.gone.add(label);
    this.pending.delete(label);
    const slot = this.slots.get(label);
    if (slot === undefined) return;
    this.slots.delete(label);
    this.count[slot] = -1;
    this.free.push(slot);
  }

  /** Make pending every image whose list names a label removed since the last sweep (one pass). */
  sweep(): void {
    if (this.gone.size === 0) return;
    for (const [label, slot] of this.slots) {
      for (let i = 0; i < this.count[slot]; i++) {
        if (!this.gone.has(this.nLabels[slot * this.k + i])) continue;
        this.count[slot] = -1;
        this.pending.add(label);
        break;
      }
    }
    this.gone.clear();
  }

  private slotOf(label: number): number {
    const known = this.slots.get(label);
    if (known !== undefined) return known;
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot >= this.count.length) this.grow(Math.max(64, this.count.length * 2));
    }
    this.slots.set(label, slot);
    this.count[slot] = -1;
    return slot;
  }

  private grow(capacity: number): void {
    const more = <T extends Float64Array | Float32Array | Int8Array>(a: T, n: number, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.count = more(this.count, capacity, (n) => new Int8Array(n));
    this.nLabels = more(this.nLabels, capacity * this.k, (n) => new Float64Array(n));
    this.nSims = more(this.nSims, capacity * this.k, (n) => new Float32Array(n));
  }

  private write(slot: number, nearestFirst: readonly Neighbour[]): void {
    const n = Math.min(this.k, nearestFirst.length);
    for (let i = 0; i < n; i++) {
      this.nLabels[slot * this.k + i] = nearestFirst[i].label;
      this.nSims[slot * this.k + i] = nearestFirst[i].sim;
    }
    this.count[slot] = n;
  }

  /** Rows of `2 + 2k` float64: label, count, then (label, similarity) pairs. */
  writePayload(file: string): void {
    const width = 2 + 2 * this.k;
    let rows = 0;
    for (const slot of this.slots.values()) if (this.count[slot] >= 0) rows++;
    const out = new Float64Array(1 + rows * width);
    out[0] = this.k;
    let o = 1;
    for (const [label, slot] of this.slots) {
      if (this.count[slot] < 0) continue;
      out[o] = label;
      out[o + 1] = this.count[slot];
      for (let i = 0; i < this.count[slot]; i++) {
        out[o + 2 + 2 * i] = this.nLabels[slot * this.k + i];
        out[o + 3 + 2 * i] = this.nSims[slot * this.k + i];
      }
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
