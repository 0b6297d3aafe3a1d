// A bounded max-heap that keeps the k nearest (smallest distance) hits seen so far.

export interface Hit {
  label: number;
  distance: number;
}

/** Collects the k smallest distances; `sorted()` returns them nearest first (ties by label). */
export class TopK {
  private readonly labels: Float64Array;
  private readonly dists: Float64Array;
  private n = 0;

  constructor(readonly k: number) {
    this.labels = new Float64Array(Math.max(1, k));
    this.dists = new Float64Array(Math.max(1, k));
  }

  /** The distance a candidate must beat to enter (Infinity until the heap is full). */
  get bound(): number {
    return this.n < this.k ? Infinity : this.dists[0];
  }

  push(label: number, distance: number): void {
    if (this.k === 0) return;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.dists[p] >= distance) break;
        this.dists[i] = this.dists[p];
        this.labels[i] = this.labels[p];
        i = p;
      }
      this.dists[i] = distance;
      this.labels[i] = label;
      return;
    }
    if (distance >= this.dists[0]) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.dists[r] > this.dists[l] ? r : l;
      if (this.dists[c] <= distance) break;
      this.dists[i] = this.dists[c];
      this.labels[i] = this.labels[c];
      i = c;
    }
    this.dists[i] = distance;
    this.labels[i] = label;
  }

  sorted(): Hit[] {
    const out: Hit[] = [];
    for (let i = 0; i < this.n; i++) out.push({ label: this.labels[i], distance: this.dists[i] });
    return out.sort((a, b) => a.distance - b.distance || a.label - b.label);
  }
}
