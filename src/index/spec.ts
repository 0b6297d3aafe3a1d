// Index specs, one grammar `kind:key=value,…` (faiss index_factory). Unknown keys fail and the
// error lists the valid ones. Knobs are explained in docs/indexing.md.

import { TusouError } from '../domain/index.js';
import type { IndexShape } from './vector-index.js';

export interface FlatSpec { kind: 'flat' }
export interface HnswSpec {
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
const HNSW_RANGES: Record<keyof typeof HNSW_DEFAULTS, [number, number]> = { m: [4, 64], efc: [10, 2000], ef: [10, 5000] };

/**
 * Parse an index spec.
 * @throws INDEX_SPEC_INVALID naming the bad part
 * @example parseIndexSpec('hnsw:m=32,ef=200') // { kind: 'hnsw', m: 32, efc: 100, ef: 200 }
 */
export function parseIndexSpec(spec: string): IndexSpec {
  const [kind, params = ''] = spec.split(/:(.*)/s);
  if (kind === 'flat') {
    if (params) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: 'flat takes no parameters' });
    return { kind: 'flat' };
  }
  if (kind !== 'hnsw') throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `unknown kind ${JSON.stringify(kind)}; use flat or hnsw` });
  const out: HnswSpec = { kind: 'hnsw', ...HNSW_DEFAULTS };
  for (const part of params ? params.split(',') : []) {
    const m = /^([a-z]+)=(\d+)$/.exec(part);
    if (!m) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `cannot parse ${JSON.stringify(part)}; write key=integer` });
    const key = m[1] as keyof typeof HNSW_DEFAULTS;
    const range = HNSW_RANGES[key];
    if (!range) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `unknown key ${key}; valid keys are ${Object.keys(HNSW_DEFAULTS).join(', ')}` });
    const v = Number(m[2]);
    if (v < range[0] || v > range[1]) throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `${key} must be in ${range[0]}..${range[1]}; got ${v}` });
    out[key] = v;
  }
  return out;
}

/** The canonical string of a spec. */
export function formatIndexSpec(s: IndexSpec): string {
  return s.kind === 'flat' ? 'flat' : `hnsw:m=${s.m},efc=${s.efc},ef=${s.ef}`;
}

/** HNSW (hnswlib) supports cosine and l2 on float vectors; every other shape needs `flat`. */
export function supportsHnsw(shape: Pick<IndexShape, 'metric' | 'kind'>): boolean {
  return shape.kind === 'float' && (shape.metric === 'cosine' || shape.metric === 'l2');
}

/** The default spec for a shape: HNSW where it applies, else an exact scan. */
export function defaultIndexSpec(shape: Pick<IndexShape, 'metric' | 'kind'>): string {
  return supportsHnsw(shape) ? formatIndexSpec({ kind: 'hnsw', ...HNSW_DEFAULTS }) : 'flat';
}

/** Parse and check a spec against the vectors it will hold. @throws INDEX_SPEC_INVALID */
export function validateIndexSpec(spec: string, shape: Pick<IndexShape, 'metric' | 'kind'>): string {
  const parsed = parseIndexSpec(spec);
  if (parsed.kind === 'hnsw' && !supportsHnsw(shape)) {
    throw new TusouError('INDEX_SPEC_INVALID', { spec, reason: `hnsw supports cosine and l2 on float vectors; use flat for ${shape.metric} on ${shape.kind} vectors` });
  }
  return formatIndexSpec(parsed);
}
