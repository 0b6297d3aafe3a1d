// Exact k-NN by scanning every vector: the ground truth, and the index for metrics HNSW lacks
// (l1, hamming, jaccard). Vectors live in one growable typed array; removal moves the last row.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Vector } from '../domain/index.js';
import { kernelFor, type Kernel } from './kernels.js';
import { TopK, type Hit } from './top-k.js';
import type { IndexShape, LabelFilter, VectorIndex } from './vector-index.js';

export class FlatIndex implements VectorIndex {
  readonly spec = 'flat';
  readonly metric;
  readonly kind;
  readonly dim;
  private readonly width: number;
  private readonly kernel: Kernel;
  private data: Float32Array | Uint8Array;
  private labelAt: Float64Array;
  private readonly rowOf = new Map<number, number>();

  constructor(shape: IndexShape, initialCapacity = 1024) {
    this.metric = shape.metric;
    this.kind = shape.kind;
    this.dim = shape.dim;
    this.width = shape.kind === 'binary' ? Math.ceil(shape.dim / 8) : shape.dim;
    this.kernel = kernelFor(shape.metric, shape.kind);
    this.data = this.alloc(initialCapacity * this.width);
    this.labelAt = new Float64Array(initialCapacity);
  }

  private alloc(n: number): Float32Array | Uint8Array {
    return this.kind === 'binary' ? new Uint8Array(n) : new Float32Array(n);
  }

  get size(): number {
    return this.rowOf.size;
  }

  private row(i: number): Vector {
    return this.data.subarray(i * this.width, (i + 1) * this.width);
  }

  add(label: number, vector: Vector): void {
    if (vector.length !== this.width) throw new RangeError(`vector has ${vector.length} components; the index holds ${this.width}`);
    let r = this.rowOf.get(label);
    if (r === undefined) {
      r = this.rowOf.size;
      if (r >= this.labelAt.length) this.grow();
      this.rowOf.set(label, r);
      this.labelAt[r] = label;
    }
    this.data.set(vector, r * this.width);
  }

  private grow(): void {
    const cap = this.labelAt.length * 2;
    const data = this.alloc(cap * this.width);
    data.set(this.data);
    const labels = new Float64Array(cap);
    labels.set(this.labelAt);
    this.data = data;
    this.labelAt = labels;
  }

  remove(label: number): boolean {
    const r = this.rowOf.get(label);
    if (r === undefined) return false;
    const last = this.rowOf.size - 1;
    if (r !== last) {
      this.data.copyWithin(r * this.width, last * this.width, (last + 1) * this.width);
      this.labelAt[r] = this.labelAt[last];
      this.rowOf.set(this.labelAt[r], r);
    }
    this.rowOf.delete(label);
    return true;
  }

  has(label: number): boolean {
    return this.rowOf.has(label);
  }

  labels(): Iterable<number> {
    return this.rowOf.keys();
  }

  search(query: Vector, k: number, filter?: LabelFilter): Hit[] {
    const top = new TopK(Math.min(k, this.size));
    const n = this.rowOf.size;
    for (let i = 0; i < n; i++) {
      const label = this.labelAt[i];
      if (filter && !filter(label)) continue;
      top.push(label, this.kernel(query, this.row(i)));
    }
    return top.sorted();
  }

  /** The k nearest among the given labels (absent labels are skipped): cost grows with the list, not the index. */
  searchAmong(query: Vector, k: number, labels: ArrayLike<number>): Hit[] {
    const top = new TopK(Math.min(k, labels.length));
    for (let i = 0; i < labels.length; i++) {
      const r = this.rowOf.get(labels[i]);
      if (r !== undefined) top.push(labels[i], this.kernel(query, this.row(r)));
    }
    return top.sorted();
  }

  /** Payload: u32 count, then float64 labels, then the rows. */
  writePayload(file: string): void {
    const n = this.size;
    const head = Buffer.alloc(4);
    head.writeUInt32LE(n);
    const labels = Buffer.from(this.labelAt.buffer, 0, n * 8);
    const rows = Buffer.from(this.data.buffer, this.data.byteOffset, n * this.width * this.data.BYTES_PER_ELEMENT);
    writeFileSync(file, Buffer.concat([head, labels, rows]));
  }

  /** Read a payload written by `writePayload`. */
  static read(shape: IndexShape, file: string): FlatIndex {
    const buf = readFileSync(file);
    const n = buf.readUInt32LE(0);
    const idx = new FlatIndex(shape, Math.max(1024, n));
    const labels = new Float64Array(buf.buffer.slice(buf.byteOffset + 4, buf.byteOffset + 4 + n * 8));
    const bytes = buf.subarray(4 + n * 8);
    const rows = shape.kind === 'binary'
      ? new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
      : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    if (rows.length !== n * idx.width) throw new RangeError(`flat payload holds ${rows.length} values; expected ${n * idx.width}`);
    for (let i = 0; i < n; i++) idx.add(labels[i], rows.subarray(i * idx.width, (i + 1) * idx.width));
    return idx;
  }
}
