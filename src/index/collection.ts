// A Collection is an instance's in-memory search state: the attribute table for filters, the
// vector index (HNSW or flat) over index-space vectors, an exact copy of those vectors for
// selective filters, and the projection from descriptor space into index space. The engine's
// planner asks it for a shortlist and re-ranks that with full vectors from the store when the
// collection projects. With database-side augmentation it also keeps each image's nearest
// neighbours (neighbour-table.ts).

import type { ImageAttributes, Vector } from '../domain/index.js';
import { AttributeTable } from './attribute-table.js';
import { FlatIndex } from './flat-index.js';
import { HnswIndex } from './hnsw-index.js';
import { NeighbourTable } from './neighbour-table.js';
import { PartsIndex } from './parts-index.js';
import { randomProjection, type Projection } from './projection.js';
import { formatIndexSpec, innerIndexSpec, parseIndexSpec, type IndexSpec } from './spec.js';
import type { Hit } from './top-k.js';
import type { IndexShape, VectorIndex } from './vector-index.js';

export type Attributes = Pick<ImageAttributes, 'categoryId' | 'intAttr' | 'intAttr2' | 'intAttr3' | 'intAttr4' | 'strAttr' | 'strAttr2' | 'strAttr3' | 'strAttr4'>;

/** A snapshot's payload files: the index, its exact copy (HNSW), the neighbour table (DBA). */
export interface SnapshotFiles { ann: string; exact?: string; neighbours?: string }

/** Where a shortlist came from (reported by benchmarks). */
export type ShortlistPath = 'index' | 'exact' | 'filtered-index';

export class Collection {
  readonly attrs = new AttributeTable();
  readonly projection?: Projection;
  /** Shortlist size when projecting (re-ranked on full vectors). */
  readonly rerank: number;
  /** Query expansion: neighbours added to a query before its final search (0 = off). */
  readonly qe: number;
  /** Database-side augmentation: each image's nearest images (when the spec has `dba`). */
  readonly neighbours?: NeighbourTable;
  private constructor(
    readonly spec: string,
    /** Shape of the descriptor's vectors (what the store keeps). */
    readonly shape: IndexShape,
    readonly ann: VectorIndex,
    /** Index-space vectors for exact scans, when `ann` is approximate. */
    readonly exact: FlatIndex | PartsIndex | undefined,
    neighbours?: NeighbourTable,
  ) {
    const parsed = parseIndexSpec(spec);
    this.rerank = parsed.rr;
    this.qe = parsed.qe;
    if (parsed.proj > 0) this.projection = randomProjection(shape.dim, parsed.proj);
    if (parsed.dba > 0) {
      this.neighbours = neighbours ?? new NeighbourTable(parsed.dba);
      for (const label of this.labels()) this.neighbours.added(label);
    }
  }

  /** The index-space shape and the spec of the inner index (without projection keys). */
  private static inner(spec: string, shape: IndexShape): { parsed: IndexSpec; innerShape: IndexShape } {
    const parsed = parseIndexSpec(spec);
    return { parsed, innerShape: { ...shape, dim: parsed.proj > 0 ? parsed.proj : shape.dim } };
  }

  /** An empty collection for an index spec over vectors of `shape`. */
  static create(spec: string, shape: IndexShape): Collection {
    const { parsed, innerShape } = Collection.inner(spec, shape);
    // Multi-part vectors (faces) are stored per part under one label (parts-index.ts).
    const wrap = <T extends VectorIndex>(i: T) => (shape.parts ? new PartsIndex(i) : i);
    if (parsed.kind === 'flat') return new Collection(spec, shape, wrap(new FlatIndex(innerShape)), undefined);
    return new Collection(spec, shape, wrap(HnswIndex.create(innerShape, innerIndexSpec(parsed))), wrap(new FlatIndex(innerShape)));
  }

  /**
   * A collection from snapshot payloads (attributes come from the store afterwards). Without a
   * neighbour payload every image of an augmented collection is pending.
   */
  static read(spec: string, shape: IndexShape, files: SnapshotFiles, deleted: number): Collection {
    const { parsed, innerShape } = Collection.inner(spec, shape);
    const wrap = <T extends VectorIndex>(i: T) => (shape.parts ? new PartsIndex(i) : i);
    const neighbours = parsed.dba > 0 && files.neighbours ? NeighbourTable.read(parsed.dba, files.neighbours) : undefined;
    if (parsed.kind === 'flat') return new Collection(spec, shape, wrap(FlatIndex.read(innerShape, files.ann)), undefined, neighbours);
    if (!files.exact) throw new RangeError('an hnsw snapshot needs its exact payload');
    return new Collection(spec, shape, wrap(HnswIndex.read(innerShape, innerIndexSpec(parsed), files.ann, deleted)), wrap(FlatIndex.read(innerShape, files.exact)), neighbours);
  }

  /** The spec of the inner vector index. */
  get innerSpec(): string {
    return formatIndexSpec(innerIndexSpec(parseIndexSpec(this.spec)));
  }

  get size(): number {
    return this.exact?.size ?? this.ann.size;
  }

  /** A descriptor vector in index space. */
  toIndexSpace(v: Vector): Vector {
    return this.projection ? this.projection.apply(v as Float32Array) : v;
  }

  /** Add (or replace) the vector of a label, given in descriptor space; attributes when known. */
  add(label: number, vector: Vector, attributes?: Attributes): void {
    const v = this.toIndexSpace(vector);
    this.ann.add(label, v);
    this.exact?.add(label, v);
    this.neighbours?.added(label);
    if (attributes) this.attrs.set(label, attributes);
  }

  setAttributes(label: number, attributes: Attributes): void {
    this.attrs.set(label, attributes);
  }

  remove(label: number): boolean {
    const a = this.ann.remove(label);
    const b = this.exact?.remove(label) ?? false;
    const c = this.attrs.remove(label);
    this.neighbours?.remove(label);
    return a || b || c;
  }

  /** True when the label has a vector. */
  has(label: number): boolean {
    return (this.exact ?? this.ann).has(label);
  }

  /** Labels with a vector. */
  labels(): Iterable<number> {
    return (this.exact ?? this.ann).labels();
  }

  /**
   * The `k` nearest in index space. `candidates` (from `attrs.select`) restricts the search: at
   * most `exactMax` of them are scanned exactly; more go to the index with a filter checked
   * during the graph search (never after it).
   */
  shortlist(query: Vector, k: number, candidates: Float64Array | undefined, exactMax: number): { hits: Hit[]; path: ShortlistPath } {
    if (!candidates) return { hits: this.ann.search(query, k), path: 'index' };
    if (candidates.length <= exactMax || !this.exact) {
      const exact = this.exact ?? this.ann;
      if (exact instanceof FlatIndex) return { hits: exact.searchAmong(query, k, candidates), path: 'exact' };
      // A parts index over a flat one: exact too, through its label filter.
      const allowed = new Set(candidates);
      return { hits: exact.search(query, k, (l) => allowed.has(l)), path: 'exact' };
    }
    let max = 0;
    for (let i = 0; i < candidates.length; i++) if (candidates[i] > max) max = candidates[i];
    const allowed = new Uint8Array(max + 1);
    for (let i = 0; i < candidates.length; i++) allowed[candidates[i]] = 1;
    return { hits: this.ann.search(query, k, (l) => allowed[l] === 1), path: 'filtered-index' };
  }

  /** Write the vector (and neighbour) payloads; attributes are rebuilt from the store. */
  writePayloads(files: SnapshotFiles): void {
    this.ann.writePayload(files.ann);
    if (this.exact && files.exact) this.exact.writePayload(files.exact);
    if (this.neighbours && files.neighbours) this.neighbours.writePayload(files.neighbours);
  }

  /** Deleted slots of the inner index (recorded in snapshot headers). */
  get deletedSlots(): number {
    const base = this.ann instanceof PartsIndex ? this.ann.inner : this.ann;
    return base instanceof HnswIndex ? base.deletedSlots : 0;
  }
}
