// Approximate k-NN with hnswlib-node (HNSW graph) for cosine and l2 on floats. The label filter
// runs inside the graph search, so filtered nodes still route it (recall holds under filters).

import hnswlib from 'hnswlib-node';
import type { Vector } from '../domain/index.js';
import type { HnswSpec } from './spec.js';
import { formatIndexSpec } from './spec.js';
import type { Hit } from './top-k.js';
import type { IndexShape, LabelFilter, VectorIndex } from './vector-index.js';

const { HierarchicalNSW } = hnswlib;

export class HnswIndex implements VectorIndex {
  readonly spec: string;
  readonly metric;
  readonly kind = 'float' as const;
  readonly dim;
  private readonly graph: InstanceType<typeof HierarchicalNSW>;
  private readonly live = new Set<number>();
  /** Deleted slots the graph can reuse before it must grow. */
  private deleted = 0;

  private constructor(shape: IndexShape, private readonly params: HnswSpec, graph: InstanceType<typeof HierarchicalNSW>) {
    this.metric = shape.metric;
    this.dim = shape.dim;
    this.spec = formatIndexSpec(params);
    this.graph = graph;
    graph.setEf(params.ef);
  }

  static create(shape: IndexShape, params: HnswSpec, initialCapacity = 1024): HnswIndex {
    const graph = new HierarchicalNSW(shape.metric === 'l2' ? 'l2' : 'cosine', shape.dim);
    graph.initIndex({ maxElements: initialCapacity, m: params.m, efConstruction: params.efc, randomSeed: 100, allowReplaceDeleted: true });
    return new HnswIndex(shape, params, graph);
  }

  /**
   * Load a payload written by `writePayload`; `deleted` is the count recorded with it. hnswlib
   * lists deleted labels among its ids and has no "is deleted" query, so when the snapshot has
   * deleted slots each id is probed (marking a deleted label again fails, a live one is marked and
   * unmarked): `labels()` is then exactly the live set, which replaying the change feed relies on.
   */
  static read(shape: IndexShape, params: HnswSpec, file: string, deleted: number): HnswIndex {
    const graph = new HierarchicalNSW(shape.metric === 'l2' ? 'l2' : 'cosine', shape.dim);
    graph.readIndexSync(file, true);
    const idx = new HnswIndex(shape, params, graph);
    for (const id of graph.getIdsList()) {
      if (deleted === 0) { idx.live.add(id); continue; }
      try {
        graph.markDelete(id);
      } catch (err) {
        // Translate: "already deleted" is the answer to the probe; anything else is a real failure.
        if (/already deleted/i.test(String(err))) continue;
        throw err;
      }
      graph.unmarkDelete(id);
      idx.live.add(id);
    }
    idx.deleted = deleted;
    return idx;
  }

  get size(): number {
    return this.live.size;
  }

  add(label: number, vector: Vector): void {
    if (vector.length !== this.dim) throw new RangeError(`vector has ${vector.length} components; the index holds ${this.dim}`);
    const point = Array.from(vector);
    if (this.live.has(label)) {
      this.graph.addPoint(point, label, false);
      return;
    }
    const reuse = this.deleted > 0;
    if (!reuse && this.graph.getCurrentCount() >= this.graph.getMaxElements()) {
      this.graph.resizeIndex(Math.max(1024, this.graph.getMaxElements() * 2));
    }
    this.graph.addPoint(point, label, reuse);
    if (reuse) this.deleted--;
    this.live.add(label);
  }

  remove(label: number): boolean {
    if (!this.live.delete(label)) return false;
    try {
      this.graph.markDelete(label);
      this.deleted++;
    } catch (err) {
      // Retry-free translation: after `read`, a label deleted before the snapshot is still
      // listed by hnswlib; marking it again fails with "already deleted", which is the goal.
      if (!/already deleted/i.test(String(err))) throw err;
    }
    return true;
  }

  /** Every label the index lists as present (see `read`). */
  labels(): Iterable<number> {
    return this.live;
  }

  has(label: number): boolean {
    return this.live.has(label);
  }

  search(query: Vector, k: number, filter?: LabelFilter): Hit[] {
    const n = Math.min(k, this.live.size);
    if (n === 0) return [];
    this.graph.setEf(Math.max(this.params.ef, n));
    const res = this.graph.searchKnn(Array.from(query), n, filter);
    const hits: Hit[] = res.neighbors.map((label, i) => ({
      label,
      // hnswlib's l2 space returns squared distances; cosine space returns 1 − cos.
      distance: this.metric === 'l2' ? Math.sqrt(Math.max(0, res.distances[i])) : res.distances[i],
    }));
    return hits.sort((a, b) => a.distance - b.distance || a.label - b.label);
  }

  /** Count of deleted slots, recorded in the snapshot header. */
  get deletedSlots(): number {
    return this.deleted;
  }

  writePayload(file: string): void {
    this.graph.writeIndexSync(file);
  }
}
