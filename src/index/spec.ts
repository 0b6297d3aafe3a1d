// Index specs, one grammar `kind:key=value,…` (faiss index_factory). Unknown keys fail and the
// error lists the valid ones. Knobs are explained in docs/indexing.md.

import { TusouError } from '../domain/index.js';
import type { IndexShape } from './vector-index.js';

/** Keys every kind takes: a projection to a smaller index space and the re-ranked shortlist. */
export interface ProjectionParams {
  /** Index-space dimensions (0 = no projection): the index holds projected vectors, the store full ones. */
  proj: number;
  /** Shortlist re-ranked with the full vectors when projecting (at least; 4·k for deep pages). */
  rr: number;
  /**
   * Query expansion (αQE): a query is replaced by itself plus its `qe` nearest images' vectors,
   * weighted by similarity³, and searched again (0 = off; cosine on float vectors only).
   */
  qe: number;
  /**
   * Database-side augmentation: every stored image is scored as its vector plus its `dba` nearest
   * images' vectors, weighted by similarity³ (0 = off; cosine on float vectors only).
   */
  dba: number;
}
export interface FlatSpec extends ProjectionParams { kind: 'flat' }
export interface HnswSpec extends ProjectionParams {
  kind: 'hnsw';
  /** Graph degree: memory ≈ m·8–10 bytes per vector; higher = better recall, slower build. */
  m: number;
  /** Build-time beam width: higher = better graph, slower adds. */
  efc: number;
  /** Search beam width (at least k is used): higher = better recall, slower search. */
  ef: number;
}
export type IndexSpec = FlatSpec | HnswSpec;

export const HNSW_DEFAULTS = Object.freeze({ m: 16, efc: 100, ef: 100 });
export const PROJECTION_DEFAULTS: Readonly<ProjectionParams> = Object.freeze({ proj: 0, rr: 64, qe: 0, dba: 0 });
type Key = 'm' | 'efc' | 'ef' | 'proj' | 'rr' | 'qe' | 'dba';
const RANGES: Record<Key, [number, number]> = { m: [4, 64], efc: [10, 2000], ef: [10, 5000], proj: [0, 4096], rr: [10, 2000], qe: [0, 32], dba: [0, 16] };
const KEYS: Record<IndexSpec['kind'], Key[]> = { flat: ['proj', 'rr', 'qe', 'dba'], hnsw: ['m', 'efc', 'ef', 'proj', 'rr', 'qe', 'dba'] };

/**
 * Parse an index spec.
 * @throws INDEX_SPEC_INVALID naming the bad part
 * @example parseIndexSpec('hnsw:m=32,ef=200') // { kind: 'hnsw', m: 32, efc: 100, ef: 200 }
 */
export function parseIndexSpec(spec: string): IndexSpec {
  const [kind, params = ''] = spec.split(/:(.*)/s);
  if (kind !== 'flat' && kind !== 'hnsw') throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `unknown kind ${JSON.stringify(kind)}; use flat or hnsw` });
  const out: Record<string, number | string> = kind === 'flat' ? { kind, ...PROJECTION_DEFAULTS } : { kind, ...HNSW_DEFAULTS, ...PROJECTION_DEFAULTS };
  for (const part of params ? params.split(',') : []) {
    const m = /^([a-z]+)=(\d+)$/.exec(part);
    if (!m) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `cannot parse ${JSON.stringify(part)}; write key=integer` });
    const key = m[1] as Key;
    if (!KEYS[kind].includes(key)) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `unknown key ${key}; valid keys are ${KEYS[kind].join(', ')}` });
    const [lo, hi] = RANGES[key];
    const v = Number(m[2]);
    if (v < lo || v > hi) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `${key} must be in ${lo}..${hi}; got ${v}` });
    out[key] = v;
  }
  return out as unknown as IndexSpec;
}

/** The canonical string of a spec (projection keys only when projecting, `qe` and `dba` only when on). */
export function formatIndexSpec(s: IndexSpec): string {
  const extra = [...(s.proj > 0 ? [`proj=${s.proj}`, `rr=${s.rr}`] : []), ...(s.qe > 0 ? [`qe=${s.qe}`] : []), ...(s.dba > 0 ? [`dba=${s.dba}`] : [])].join(',');
  if (s.kind === 'flat') return extra ? `flat:${extra}` : 'flat';
  return `hnsw:m=${s.m},efc=${s.efc},ef=${s.ef}${extra ? `,${extra}` : ''}`;
}

/** The spec of a collection's inner index: the collection-level keys (projection, expansion, augmentation) off. */
export function innerIndexSpec<S extends IndexSpec>(s: S): S {
  return { ...s, proj: 0, qe: 0, dba: 0 };
}

/** HNSW (hnswlib) supports cosine and l2 on float vectors; every other shape needs `flat`. */
export function supportsHnsw(shape: Pick<IndexShape, 'metric' | 'kind'>): boolean {
  return shape.kind === 'float' && (shape.metric === 'cosine' || shape.metric === 'l2');
}

/** Descriptors with more dimensions than this are projected by default (proj=128). */
export const PROJECT_ABOVE_DIM = 256;

/**
 * The default spec for a shape: HNSW where it applies (projected to 128 dimensions, with the
 * shortlist re-ranked on full vectors, when the descriptor is wider than 256), else an exact scan;
 * `qe` turns on query expansion and `dba` database-side augmentation (cosine on single float
 * vectors only; ignored for other shapes).
 */
export function defaultIndexSpec(shape: IndexShape, qe = 0, dba = 0): string {
  if (!supportsHnsw(shape)) return 'flat';
  const proj = shape.dim > PROJECT_ABOVE_DIM ? { proj: 128 } : {};
  const expand = shape.metric === 'cosine' && !shape.parts ? { qe, dba } : {};
  return formatIndexSpec({ kind: 'hnsw', ...HNSW_DEFAULTS, ...PROJECTION_DEFAULTS, ...proj, ...expand });
}

/** Parse and check a spec against the vectors it will hold. @throws INDEX_SPEC_INVALID */
export function validateIndexSpec(spec: string, shape: IndexShape): string {
  const parsed = parseIndexSpec(spec);
  if (parsed.kind === 'hnsw' && !supportsHnsw(shape)) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `hnsw supports cosine and l2 on float vectors; use flat for ${shape.metric} on ${shape.kind} vectors` });
  }
  if (parsed.proj > 0 && !supportsHnsw(shape)) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `proj (a random projection) keeps cosine and l2 distances only; ${shape.metric} on ${shape.kind} vectors cannot be projected` });
  }
  if (parsed.qe > 0 && (shape.kind !== 'float' || shape.metric !== 'cosine' || shape.parts)) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `qe (query expansion) averages vectors by cosine similarity; it needs cosine on single float vectors, not ${shape.metric} on ${shape.parts ? 'multi-part ' : ''}${shape.kind} vectors` });
  }
  if (parsed.dba > 0 && (shape.kind !== 'float' || shape.metric !== 'cosine' || shape.parts)) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `dba (database-side augmentation) averages vectors by cosine similarity; it needs cosine on single float vectors, not ${shape.metric} on ${shape.parts ? 'multi-part ' : ''}${shape.kind} vectors` });
  }
  if (parsed.proj >= shape.dim) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `proj must be smaller than the descriptor's ${shape.dim} dimensions; got ${parsed.proj}` });
  }
  return formatIndexSpec(parsed);
}
