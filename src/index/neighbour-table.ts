// Database-side augmentation (DBA) keeps, for every image of an instance, its `k` nearest other
// images by cosine similarity of the full descriptor vectors. A search then scores each stored
// image by its vector plus its neighbours' (weighted by similarity³): images that agree with
// their neighbourhood move up together. The table only holds labels and similarities; the engine
// finds the neighbours (engine/neighbours.ts) and builds the augmented vectors from the store.
// Labels added without a list yet are pending until the engine links them; after images are
// removed, a sweep makes pending every image whose list named one, so lists refill.

import { readFileSync, writeFileSync } from 'node:fs';
import { grownTo, LabelRows } from './label-rows.js';

export interface Neighbour {
  label: number;
  /** Cosine similarity of the two full vectors. */
  sim: number;
}

export class NeighbourTable {
  /** One row per image (about 90 bytes each): its list's length (-1 while it has none), labels, similarities. */
  private readonly rows: LabelRows;
  private count: Int8Array;
  private nLabels: Float64Array;
  private nSims: Float32Array;
  /** Labels removed since the last sweep (the lists naming them are found then). */
  private readonly gone = new Set<number>();
  /** Labels without a list (added since the last link, or whose list lost a neighbour). */
  readonly pending = new Set<number>();

  constructor(readonly k: number) {
    this.rows = new LabelRows(64, (capacity) => {
      this.count = grownTo(this.count, capacity);
      this.nLabels = grownTo(this.nLabels, capacity * k);
      this.nSims = grownTo(this.nSims, capacity * k);
    });
    this.count = new Int8Array(this.rows.capacity);
    this.nLabels = new Float64Array(this.rows.capacity * k);
    this.nSims = new Float32Array(this.rows.capacity * k);
  }

  /** Labels with a list. */
  get size(): number {
    return this.rows.size - this.pending.size;
  }

  /** The neighbours of a label, nearest first (none while it is pending). */
  get(label: number): Neighbour[] {
    const row = this.rows.row(label);
    const out: Neighbour[] = [];
    if (row === undefined) return out;
    for (let i = 0; i < this.count[row]; i++) out.push({ label: this.nLabels[row * this.k + i], sim: this.nSims[row * this.k + i] });
    return out;
  }

  /** A label that needs a list (unless it has one). */
  added(label: number): void {
    if (this.rows.has(label)) return;
    const row = this.rows.rowFor(label); // first: a new row may grow (replace) the columns
    this.count[row] = -1;
    this.pending.add(label);
  }

  /** Give a label its list: the `k` nearest of `candidates` (itself excluded). */
  set(label: number, candidates: readonly Neighbour[]): void {
    this.write(this.rows.rowFor(label), candidates.filter((n) => n.label !== label).sort((a, b) => b.sim - a.sim));
    this.pending.delete(label);
  }

  /** `other` joins the list of `label` when it is nearer than its k-th neighbour. */
  offer(label: number, other: number, sim: number): void {
    const row = this.rows.row(label);
    if (row === undefined || this.count[row] < 0 || label === other) return;
    const list = this.get(label);
    if (list.some((n) => n.label === other)) return;
    if (list.length === this.k && sim <= list[this.k - 1].sim) return;
    list.push({ label: other, sim });
    this.write(row, list.sort((a, b) => b.sim - a.sim));
  }

  /** Forget a label; `sweep` makes pending the images whose lists named it. */
  remove(label: number): void {
    this.gone.add(label);
    this.pending.delete(label);
    this.rows.remove(label, (from, to) => {
      this.count[to] = this.count[from];
      this.nLabels.copyWithin(to * this.k, from * this.k, (from + 1) * this.k);
      this.nSims.copyWithin(to * this.k, from * this.k, (from + 1) * this.k);
    });
  }

  /** Make pending every image whose list names a label removed since the last sweep (one pass). */
  sweep(): void {
    if (this.gone.size === 0) return;
    for (let row = 0; row < this.rows.size; row++) {
      for (let i = 0; i < this.count[row]; i++) {
        if (!this.gone.has(this.nLabels[row * this.k + i])) continue;
        this.count[row] = -1;
        this.pending.add(this.rows.labelAt[row]);
        break;
      }
    }
    this.gone.clear();
  }

  private write(row: number, nearestFirst: readonly Neighbour[]): void {
    const n = Math.min(this.k, nearestFirst.length);
    for (let i = 0; i < n; i++) {
      this.nLabels[row * this.k + i] = nearestFirst[i].label;
      this.nSims[row * this.k + i] = nearestFirst[i].sim;
    }
    this.count[row] = n;
  }

  /** Rows of `2 + 2k` float64: label, count, then (label, similarity) pairs. */
  writePayload(file: string): void {
    const width = 2 + 2 * this.k;
    let linked = 0;
    for (let row = 0; row < this.rows.size; row++) if (this.count[row] >= 0) linked++;
    const out = new Float64Array(1 + linked * width);
    out[0] = this.k;
    let o = 1;
    for (let row = 0; row < this.rows.size; row++) {
      if (this.count[row] < 0) continue;
      out[o] = this.rows.labelAt[row];
      out[o + 1] = this.count[row];
      for (let i = 0; i < this.count[row]; i++) {
        out[o + 2 + 2 * i] = this.nLabels[row * this.k + i];
        out[o + 3 + 2 * i] = this.nSims[row * this.k + i];
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
