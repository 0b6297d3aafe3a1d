// Exact k-NN by scanning every vector: the ground truth, and the index for metrics HNSW lacks
// (l1, hamming, jaccard). Vectors live in one growable typed array; removal moves the last row.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Vector } from '../domain/index.js';
import { kernelFor, type Kernel } from './kernels.js';
import { grownTo, LabelRows } from './label-rows.js';
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
  private readonly rows: LabelRows;

  constructor(shape: IndexShape, initialCapacity = 1024) {
    this.metric = shape.metric;
    this.kind = shape.kind;
    this.dim = shape.dim;
    this.width = shape.kind === 'binary' ? Math.ceil(shape.dim / 8) : shape.dim;
    this.kernel = kernelFor(shape.metric, shape.kind);
    this.rows = new LabelRows(initialCapacity, (capacity) => { this.data = grownTo(this.data, capacity * this.width); });
    this.data = shape.kind === 'binary' ? new Uint8Array(this.rows.capacity * this.width) : new Float32Array(this.rows.capacity * this.width);
  }

  get size(): number {
    return this.rows.size;
  }

  private row(i: number): Vector {
    return this.data.subarray(i * this.width, (i + 1) * this.width);
  }

  add(label: number, vector: Vector): void {
    if (vector.length !== this.width) throw new RangeError(`vector has ${vector.length} components; the index holds ${this.width}`);
    // The row first: a new one may grow (replace) the data array.
    const row = this.rows.rowFor(label);
    this.data.set(vector, row * this.width);
  }

  remove(label: number): boolean {
    return this.rows.remove(label, (from, to) => this.data.copyWithin(to * this.width, from * this.width, (from + 1) * this.width));
  }

  has(label: number): boolean {
    return this.rows.has(label);
  }

  labels(): Iterable<number> {
    return this.rows.labels();
  }

  search(query: Vector, k: number, filter?: LabelFilter): Hit[] {
    const top = new TopK(Math.min(k, this.size));
    const n = this.rows.size;
    for (let i = 0; i < n; i++) {
      const label = this.rows.labelAt[i];
      if (filter && !filter(label)) continue;
      top.push(label, this.kernel(query, this.row(i)));
    }
    return top.sorted();
  }

  /** The k nearest among the given labels (absent labels are skipped): cost grows with the list, not the index. */
  searchAmong(query: Vector, k: number, labels: ArrayLike<number>): Hit[] {
    const top = new TopK(Math.min(k, labels.length));
    for (let i = 0; i < labels.length; i++) {
      const r = this.rows.row(labels[i]);
      if (r !== undefined) top.push(labels[i], this.kernel(query, this.row(r)));
    }
    return top.sorted();
  }

  /** Payload: u32 count, then float64 labels, then the rows. */
  writePayload(file: string): void {
    const n = this.size;
    const head = Buffer.alloc(4);
    head.writeUInt32LE(n);
    const labels = Buffer.from(this.rows.labelAt.buffer, 0, n * 8);
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
