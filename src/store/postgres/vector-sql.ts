// k-NN inside PostgreSQL with pgvector: exact scans over the selected rows and HNSW (partial,
// per descriptor) for approximate ones. Used only when `CREATE EXTENSION vector` succeeded.

import { createHash } from 'node:crypto';
import type { Metric, Vector, VectorKind } from '../../domain/index.js';
import { selectionToSql } from '../filter-sql.js';
import type { StoreNearestQuery, StoreVectorSearch } from '../store.js';
import type { PgDriver } from './driver.js';
import { translate } from './pg-errors.js';

/** pgvector operator and HNSW operator class per metric (floats in `embedding`, bits in `code`). */
const FLOAT_OPS: Partial<Record<Metric, { op: string; ops: string }>> = {
  cosine: { op: '<=>', ops: 'vector_cosine_ops' },
  l2: { op: '<->', ops: 'vector_l2_ops' },
  l1: { op: '<+>', ops: 'vector_l1_ops' },
};
const BIT_OPS: Partial<Record<Metric, { op: string; ops: string }>> = {
  hamming: { op: '<~>', ops: 'bit_hamming_ops' },
  jaccard: { op: '<%>', ops: 'bit_jaccard_ops' },
};

const opsFor = (metric: Metric, kind: VectorKind) => (kind === 'binary' ? BIT_OPS : FLOAT_OPS)[metric];

/** The pgvector text forms of a vector: `[1,2,3]` for floats, a bit string for codes. */
export function vectorLiteral(v: Vector): { embedding: string | null; code: string | null } {
  if (v instanceof Float32Array) return { embedding: `[${Array.from(v).join(',')}]`, code: null };
  let bits = '';
  for (const byte of v) bits += byte.toString(2).padStart(8, '0');
  return { embedding: null, code: bits };
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Typed column expression: fixed dimensions let an expression index serve it. */
function column(kind: VectorKind, dim: number): string {
  return kind === 'binary' ? `v.code::bit(${Math.ceil(dim / 8) * 8})` : `v.embedding::vector(${dim})`;
}

function annIndexName(descriptor: string, metric: Metric, kind: VectorKind, dim: number): string {
  return `vectors_ann_${createHash('sha256').update(`${descriptor}|${metric}|${kind}|${dim}`).digest('hex').slice(0, 16)}`;
}

export class PgVectorSearch implements StoreVectorSearch {
  private readonly built = new Set<string>();

  constructor(private readonly driver: PgDriver) {}

  supports(metric: Metric, kind: VectorKind): boolean {
    return opsFor(metric, kind) !== undefined;
  }

  async nearest(q: StoreNearestQuery): Promise<{ hits: { label: number; distance: number }[]; candidates: number }> {
    const ops = opsFor(q.metric, q.kind);
    if (!ops) throw new RangeError(`pgvector has no ${q.metric} distance for ${q.kind} vectors`);
    const lit = vectorLiteral(q.vector);
    const params: (string | number)[] = [q.kind === 'binary' ? lit.code! : lit.embedding!];
    const typed = q.kind === 'binary' ? `$1::bit(${Math.ceil(q.dim / 8) * 8})` : `$1::vector(${q.dim})`;
    try {
      if (q.mode === 'exact') {
        params.push(q.descriptor);
        const w = selectionToSql(q.instance, q.selection, 'postgres', { params, alias: 'i.' });
        const raw = q.kind === 'binary' ? `v.code ${ops.op} ${typed}` : `v.embedding ${ops.op} ${typed}`;
        // pgvector gives NaN for a zero vector's cosine distance; kernels.ts says 1.
        const distance = q.metric === 'cosine' ? `coalesce(nullif(${raw}, 'NaN'::float8), 1)` : raw;
        const rows = (await this.driver.query(`SELECT v.label, ${distance} AS distance, count(*) OVER () AS n
          FROM images i JOIN vectors v ON v.label = i.label AND v.descriptor = $2
          WHERE ${w.sql} ORDER BY distance, v.label LIMIT ${Math.max(1, Math.floor(q.k))}`, w.params)).rows;
        return { hits: rows.map((r) => ({ label: Number(r.label), distance: Number(r.distance) })), candidates: rows.length ? Number(rows[0].n) : 0 };
      }
      // ANN: the expression and the partial predicate must match the index's literally, and the
      // iterative scan keeps walking the graph until k rows pass the filter (pgvector ≥ 0.8).
      const w = selectionToSql(q.instance, q.selection, 'postgres', { params, alias: 'i.' });
      const expr = `${column(q.kind, q.dim)} ${ops.op} ${typed}`;
      return await this.driver.transaction(async (s) => {
        await s.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
        await s.query(`SET LOCAL hnsw.ef_search = ${Math.min(1000, Math.max(40, q.k * 2))}`);
        await s.query('SET LOCAL enable_seqscan = off');
        const rows = (await s.query(`SELECT v.label, ${expr} AS distance FROM vectors v JOIN images i ON i.label = v.label
          WHERE v.descriptor = ${quote(q.descriptor)} AND ${w.sql} ORDER BY ${expr} LIMIT ${Math.max(1, Math.floor(q.k))}`, w.params)).rows;
        const n = (await s.query(`SELECT count(*) AS n FROM images i WHERE ${selectionToSql(q.instance, q.selection, 'postgres', { alias: 'i.' }).sql}`,
          selectionToSql(q.instance, q.selection, 'postgres', { alias: 'i.' }).params)).rows[0].n;
        return { hits: rows.map((r) => ({ label: Number(r.label), distance: Number(r.distance) })), candidates: Number(n) };
      });
    } catch (err) {
      return translate(err);
    }
  }

  async ensureAnnIndex(descriptor: string, metric: Metric, kind: VectorKind, dim: number, params: { m?: number; efConstruction?: number } = {}): Promise<void> {
    const ops = opsFor(metric, kind);
    if (!ops) throw new RangeError(`pgvector has no ${metric} index for ${kind} vectors`);
    const name = annIndexName(descriptor, metric, kind, dim);
    const expr = column(kind, dim).replace(/^v\./, '');
    const m = Math.max(2, Math.min(100, Math.floor(params.m ?? 16)));
    const efc = Math.max(4, Math.min(1000, Math.floor(params.efConstruction ?? 64)));
    try {
      await this.driver.transaction(async (s) => {
        // Several nodes may ask at once: one builds, the others find it built.
        await s.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
        await s.query(`CREATE INDEX IF NOT EXISTS ${name} ON vectors USING hnsw ((${expr}) ${ops.ops})
          WITH (m = ${m}, ef_construction = ${efc}) WHERE descriptor = ${quote(descriptor)}`);
      });
    } catch (err) {
      translate(err);
    }
  }

  async hasAnnIndex(descriptor: string, metric: Metric, kind: VectorKind, dim: number): Promise<boolean> {
    const name = annIndexName(descriptor, metric, kind, dim);
    // Asked on every filtered search: an index, once there, stays (a miss is asked again).
    if (this.built.has(name)) return true;
    const rows = (await this.driver.query('SELECT 1 FROM pg_indexes WHERE indexname = $1 AND schemaname = current_schema()', [name]).catch(translate)).rows;
    if (rows.length) this.built.add(name);
    return rows.length > 0;
  }
}
