// Dense rows for labels, shared by the in-memory tables that keep per-image data in typed-array
// columns (attribute table, flat index, neighbour table): label → row and row → label, rows
// 0..size-1 always in use; removing a label moves the last row into its place, so a scan over
// the rows never meets a hole.

export class LabelRows {
  private readonly rows = new Map<number, number>();
  /** Row → label (meaningful below `size`). */
  labelAt: Float64Array;

  /**
   * `resize(capacity)` gives the owner's columns room for `capacity` rows, keeping rows
   * 0..size-1; it is called whenever a new label does not fit.
   */
  constructor(initialCapacity: number, private readonly resize: (capacity: number) => void) {
    this.labelAt = new Float64Array(Math.max(1, initialCapacity));
  }

  get size(): number {
    return this.rows.size;
  }

  get capacity(): number {
    return this.labelAt.length;
  }

  row(label: number): number | undefined {
    return this.rows.get(label);
  }

  has(label: number): boolean {
    return this.rows.has(label);
  }

  labels(): Iterable<number> {
    return this.rows.keys();
  }

  /** The row of `label`; a new last row (grown when full) if it has none. */
  rowFor(label: number): number {
    const known = this.rows.get(label);
    if (known !== undefined) return known;
    const r = this.rows.size;
    if (r === this.labelAt.length) {
      const grown = new Float64Array(r * 2);
      grown.set(this.labelAt);
      this.labelAt = grown;
      this.resize(grown.length);
    }
    this.rows.set(label, r);
    this.labelAt[r] = label;
    return r;
  }

  /** Remove `label`; the owner copies its columns' last row into the hole in `move(from, to)`. False when absent. */
  remove(label: number, move: (from: number, to: number) => void): boolean {
    const r = this.rows.get(label);
    if (r === undefined) return false;
    const last = this.rows.size - 1;
    if (r !== last) {
      move(last, r);
      this.labelAt[r] = this.labelAt[last];
      this.rows.set(this.labelAt[r], r);
    }
    this.rows.delete(label);
    return true;
  }
}

/** A copy of `a` with room for `capacity` elements. */
export function grownTo<T extends Float64Array | Float32Array | Int32Array | Int8Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a.subarray(0, Math.min(a.length, capacity)));
  return b;
}
