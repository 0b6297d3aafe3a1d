// Several vectors per label (the faces of one picture) over any VectorIndex, by id translation
// (faiss IndexIDMap): part p of label L is stored as L·MAX_PARTS + p, and a label ranks by its
// nearest part. The stored vector of a label is its parts concatenated, main part first.

import { MAX_VECTOR_PARTS, type Vector } from '../domain/index.js';
import type { Kernel } from './kernels.js';
import type { Hit } from './top-k.js';
import type { IndexShape, LabelFilter, VectorIndex } from './vector-index.js';

/** Most parts one label can hold (the domain's limit, which the face pipeline also keeps). */
export const MAX_PARTS = MAX_VECTOR_PARTS;

// hnswlib-node takes 32-bit labels, so part ids must stay below 2^32 (labels below 268,435,456).
const MAX_ID = 2 ** 32 - 1;

/** The parts of a concatenated vector of `dim`-sized parts (views, not copies). */
export function splitParts(v: Vector, dim: number): Vector[] {
  if (v.length === 0 || v.length % dim !== 0 || v.length / dim > MAX_PARTS) {
    throw new RangeError(`a multi-part vector needs 1..${MAX_PARTS} parts of ${dim} components; got ${v.length} components`);
  }
  const out: Vector[] = [];
  for (let i = 0; i < v.length; i += dim) out.push(v.subarray(i, i + dim));
  return out;
}

/** A kernel between a query (one part) and a stored multi-part vector: the nearest part's distance. */
export function partsKernel(kernel: Kernel, dim: number): Kernel {
  return (q, v) => {
    let best = Infinity;
    for (const p of splitParts(v, dim)) {
      const d = kernel(q, p);
      if (d < best) best = d;
    }
    return best;
  };
}

/** The index of the part of `v` nearest to `q`, and its distance. */
export function nearestPart(kernel: Kernel, dim: number, q: Vector, v: Vector): { part: number; distance: number } {
  let best = { part: 0, distance: Infinity };
  splitParts(v, dim).forEach((p, part) => {
    const distance = kernel(q, p);
    if (distance < best.distance) best = { part, distance };
  });
  return best;
}

/**
 * A VectorIndex whose labels each hold 1..MAX_PARTS vectors. `add` takes the concatenation,
 * `search` takes one part-sized query and returns each label once, at its nearest part.
 */
export class PartsIndex implements VectorIndex {
  readonly spec: string;
  readonly metric;
  readonly kind;
  readonly dim;
  readonly parts = true;
  /** Parts held per label. */
  private readonly partCount = new Map<number, number>();

  constructor(readonly inner: VectorIndex) {
    this.spec = inner.spec;
    this.metric = inner.metric;
    this.kind = inner.kind;
    this.dim = inner.dim;
    // After a snapshot load the inner index lists part ids: regroup them by label.
    for (const id of inner.labels()) {
      const label = Math.floor(id / MAX_PARTS);
      this.partCount.set(label, Math.max(this.partCount.get(label) ?? 0, (id % MAX_PARTS) + 1));
    }
  }

  /** An empty parts index over `create(shape)`. */
  static over(shape: IndexShape, create: (shape: IndexShape) => VectorIndex): PartsIndex {
    return new PartsIndex(create(shape));
  }

  get size(): number {
    return this.partCount.size;
  }

  add(label: number, vector: Vector): void {
    const parts = splitParts(vector, this.dim);
    if (label * MAX_PARTS + MAX_PARTS - 1 > MAX_ID) throw new RangeError(`label ${label} is beyond what a parts index can address`);
    this.remove(label);
    parts.forEach((p, i) => this.inner.add(label * MAX_PARTS + i, p));
    this.partCount.set(label, parts.length);
  }

  remove(label: number): boolean {
    const n = this.partCount.get(label);
    if (n === undefined) return false;
    for (let i = 0; i < n; i++) this.inner.remove(label * MAX_PARTS + i);
    this.partCount.delete(label);
    return true;
  }

  has(label: number): boolean {
    return this.partCount.has(label);
  }

  labels(): Iterable<number> {
    return this.partCount.keys();
  }

  search(query: Vector, k: number, filter?: LabelFilter): Hit[] {
    if (k <= 0 || this.partCount.size === 0) return [];
    const innerFilter: LabelFilter | undefined = filter && ((id) => filter(Math.floor(id / MAX_PARTS)));
    // Several parts of one label may crowd the top: widen until k labels or the index runs out.
    for (let want = k * 2; ; want *= 4) {
      const hits = this.inner.search(query, want, innerFilter);
      const seen = new Set<number>();
      const out: Hit[] = [];
      for (const h of hits) {
        const label = Math.floor(h.label / MAX_PARTS);
        if (seen.has(label)) continue;
        seen.add(label);
        out.push({ label, distance: h.distance });
        if (out.length === k) return out;
      }
      if (hits.length < want) return out;
    }
  }

  writePayload(file: string): void {
    this.inner.writePayload(file);
  }
}
