// The shared store: PostgreSQL holding what the SQLite file holds, for several tusou nodes at
// once. Writes are short transactions; each appends its change-feed entry under a commit-order
// lock and NOTIFYs the followers, so every node's indexes replay changes in commit order.

import { createHash } from 'node:crypto';
import {
  TusouError, type AccessKey, type Box, type DetectedRegion, type ImageAttributes, type ImageKey, type ImageRecord,
  type Instance, type Task, type TaskKind, type TaskPage, type TaskPatch, type TaskQuery, type Vector,
} from '../../domain/index.js';
import { selectionToSql } from '../filter-sql.js';
import type {
  Change, ChangePage, DeleteResult, ImageSelection, IngestOutcome, NewImage, PutResult, Store, StoreVectorSearch,
} from '../store.js';
import type { PgDriver, PgSession, Row } from './driver.js';
import { isRetryable, translate } from './pg-errors.js';
import { MIGRATIONS, PGVECTOR_SQL } from './schema.js';
import { PgVectorSearch, vectorLiteral } from './vector-sql.js';

const ATTR_COLUMNS: Record<keyof ImageAttributes, string> = {
  categoryId: 'category_id',
  intAttr: 'int_attr', intAttr2: 'int_attr2', intAttr3: 'int_attr3', intAttr4: 'int_attr4',
  strAttr: 'str_attr', strAttr2: 'str_attr2', strAttr3: 'str_attr3', strAttr4: 'str_attr4',
  customContent: 'custom_content',
};

/**
 * JSON text for a jsonb column. jsonb cannot hold U+0000, which raw input (a line of an
 * increment.meta file) may carry; it is stored as U+2400 (␀), visibly, instead of failing the write.
 */
function jsonb(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '\u2400') : v));
}

const KIND_FLOAT = 0;
const KIND_BITS = 1;
const MAX_ATTEMPTS = 5;

/** A 48-bit advisory lock key for a purpose in a schema (several tusou stores may share a database). */
export function lockKey(schema: string, purpose: string): number {
  return parseInt(createHash('sha256').update(`tusou:${schema}:${purpose}`).digest('hex').slice(0, 12), 16);
}

function toBytes(v: Vector): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBytes(kind: number, data: Uint8Array): Vector {
  const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return kind === KIND_BITS ? new Uint8Array(copy) : new Float32Array(copy);
}

function toImage(r: Row): ImageRecord {
  return {
    label: r.label as number,
    productId: r.product_id as string,
    picName: r.pic_name as string,
    categoryId: r.category_id as number,
    intAttr: r.int_attr as number, intAttr2: r.int_attr2 as number, intAttr3: r.int_attr3 as number, intAttr4: r.int_attr4 as number,
    strAttr: r.str_attr as string, strAttr2: r.str_attr2 as string, strAttr3: r.str_attr3 as string, strAttr4: r.str_attr4 as string,
    customContent: r.custom_content as string,
    region: JSON.parse(r.region as string) as Box,
    regions: JSON.parse(r.regions as string) as DetectedRegion[],
    width: r.width as number,
    height: r.height as number,
    format: r.format as string,
    sha256: r.sha256 as string,
    bytes: r.bytes as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

function toAccessKey(r: Row): AccessKey {
  const key: AccessKey = { id: r.id as string, secret: r.secret as string, description: r.description as string, createdAt: r.created_at as number };
  if (r.revoked_at !== null && r.revoked_at !== undefined) key.revokedAt = r.revoked_at as number;
  if (Array.isArray(r.instances)) key.instances = r.instances as string[];
  if (r.read_only) key.readOnly = true;
  if (r.qps !== null && r.qps !== undefined) key.qps = Number(r.qps);
  return key;
}

function toTask(r: Row): Task {
  const task: Task = {
    id: r.id as number,
    instance: r.instance as string,
    kind: r.kind as TaskKind,
    status: r.status as Task['status'],
    message: r.message as string,
    files: JSON.parse(r.files as string) as Task['files'],
    counts: JSON.parse(r.counts as string) as Task['counts'],
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
  if (r.error) task.error = JSON.parse(r.error as string) as Task['error'];
  if (r.source) task.source = r.source as Task['source'];
  return task;
}

function toInstance(r: Row): Instance {
  return {
    name: r.name as string,
    serviceType: r.service_type as Instance['serviceType'],
    capacity: r.capacity as number,
    descriptor: r.descriptor as string,
    metric: r.metric as Instance['metric'],
    index: r.index_spec as string,
    createdAt: r.created_at as number,
    ...(r.reranker ? { reranker: r.reranker as string } : {}),
  };
}

/** A transaction in progress: its session and the change-feed entries to append at its end. */
interface Tx {
  q: PgSession['query'];
  log(instance: string, kind: Change['kind'], labels: readonly number[]): void;
}

export interface PgStoreOptions {
  /** Schema holding the tables (created when missing). */
  schema?: string;
  /** Try `CREATE EXTENSION vector` and use pgvector for k-NN in SQL (default true). */
  pgvector?: boolean;
}

export class PgStore implements Store {
  readonly schema: string;
  /** k-NN inside PostgreSQL, when pgvector is installed (see vector-sql.ts). */
  vectorSearch?: StoreVectorSearch;
  private readonly changeLock: number;
  private readonly channel: string;
  private id?: string;

  private constructor(readonly driver: PgDriver, schema: string) {
    this.schema = schema;
    this.changeLock = lockKey(schema, 'changes');
    this.channel = `tusou_changes_${schema}`;
  }

  /**
   * Connect, create the schema and apply pending migrations under an advisory lock.
   * @throws STORE_UNAVAILABLE when the server cannot be reached or refuses
   */
  static async open(driver: PgDriver, opts: PgStoreOptions = {}): Promise<PgStore> {
    const store = new PgStore(driver, opts.schema ?? 'public');
    try {
      const vector = await store.migrate(opts.pgvector ?? true);
      if (vector) store.vectorSearch = new PgVectorSearch(driver);
      store.id = (await driver.query("SELECT value FROM store_meta WHERE key = 'store_id'")).rows[0].value as string;
    } catch (err) {
      await driver.close().catch(() => undefined);
      translate(err);
    }
    return store;
  }

  /** Apply migrations; returns whether pgvector is usable. */
  private async migrate(tryPgvector: boolean): Promise<boolean> {
    return this.driver.transaction(async (s) => {
      await s.query('SELECT pg_advisory_xact_lock($1)', [lockKey(this.schema, 'migrate')]);
      await s.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await s.query(`SET LOCAL search_path = ${this.schema}, public`);
      await s.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await s.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (let v = 1; v <= MIGRATIONS.length; v++) {
        if (done.has(v)) continue;
        await s.query(MIGRATIONS[v - 1]);
        await s.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v]);
      }
      if (!tryPgvector) return false;
      // pgvector is optional (Debian bookworm has none): try it in a savepoint, carry on without.
      await s.query('SAVEPOINT pgvector');
      try {
        await s.query('CREATE EXTENSION IF NOT EXISTS vector');
        await s.query(PGVECTOR_SQL);
        await s.query('RELEASE SAVEPOINT pgvector');
        return true;
      } catch {
        await s.query('ROLLBACK TO SAVEPOINT pgvector');
        return false;
      }
    });
  }

  /**
   * Run `fn` in a transaction, retrying serialization failures and deadlocks; its change-feed
   * entries are appended last, under a transaction-scoped lock held until COMMIT, so seq order
   * is commit order (a follower never sees seq n+1 before seq n). Only the append is serialised.
   */
  private async tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.driver.transaction(async (session) => {
          const entries: Omit<Change, 'seq'>[] = [];
          const out = await fn({ q: (sql, params) => session.query(sql, params), log: (instance, kind, labels) => entries.push({ instance, kind, labels: [...labels] }) });
          if (entries.length) {
            await session.query('SELECT pg_advisory_xact_lock($1)', [this.changeLock]);
            const now = Date.now();
            for (const e of entries) {
              await session.query("INSERT INTO changes (seq, instance, kind, labels, created_at) VALUES (nextval('changes_seq'), $1, $2, $3, $4)",
                [e.instance, e.kind, jsonb(e.labels), now]);
            }
            await session.query('SELECT pg_notify($1, $2)', [this.channel, '']);
          }
          return out;
        });
      } catch (err) {
        if (isRetryable(err) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        return translate(err);
      }
    }
  }

  /** A single statement outside a transaction, translated. */
  private async q(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.driver.query(sql, params)).rows;
    } catch (err) {
      return translate(err);
    }
  }

  async createInstance(i: Instance): Promise<void> {
    await this.tx(async (t) => {
      const r = await t.q(`INSERT INTO instances (name, service_type, capacity, descriptor, metric, index_spec, created_at, reranker)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING`, [i.name, i.serviceType, i.capacity, i.descriptor, i.metric, i.index, i.createdAt, i.reranker ?? null]);
      if (r.rowCount === 0) throw new TusouError('INSTANCE_EXISTS', { name: i.name });
      t.log(i.name, 'instance', []);
    });
  }

  async getInstance(name: string): Promise<Instance | undefined> {
    const rows = await this.q('SELECT * FROM instances WHERE name = $1', [name]);
    return rows[0] && toInstance(rows[0]);
  }

  async listInstances(): Promise<Instance[]> {
    return (await this.q('SELECT * FROM instances ORDER BY name COLLATE "C"')).map(toInstance);
  }

  async deleteInstance(name: string): Promise<{ existed: boolean; orphanedBlobs: string[] }> {
    return this.tx(async (t) => {
      const shas = (await t.q('SELECT DISTINCT sha256 FROM images WHERE instance = $1', [name])).rows.map((r) => r.sha256 as string);
      const existed = (await t.q('DELETE FROM instances WHERE name = $1', [name])).rowCount > 0;
      if (existed) t.log(name, 'instance', []);
      return { existed, orphanedBlobs: await this.unreferenced(t, shas) };
    });
  }

  /** Those of `shas` that no image references (as this transaction sees it). */
  private async unreferenced(t: Tx, shas: readonly string[]): Promise<string[]> {
    if (shas.length === 0) return [];
    const rows = await t.q('SELECT s.sha FROM unnest($1::text[]) AS s(sha) WHERE NOT EXISTS (SELECT 1 FROM images WHERE sha256 = s.sha) ORDER BY s.sha', [shas]);
    return rows.rows.map((r) => r.sha as string);
  }

  async countImages(instance: string, selection: ImageSelection = {}): Promise<number> {
    if (selection.categoryId === undefined && !selection.filter && selection.productId === undefined) {
      return ((await this.q('SELECT image_count FROM instances WHERE name = $1', [instance]))[0]?.image_count as number | undefined) ?? 0;
    }
    const w = selectionToSql(instance, selection, 'postgres');
    return (await this.q(`SELECT count(*) AS n FROM images WHERE ${w.sql}`, w.params))[0].n as number;
  }

  async categoryCounts(instance: string): Promise<Map<number, number>> {
    const rows = await this.q('SELECT category_id, count(*) AS n FROM images WHERE instance = $1 GROUP BY category_id', [instance]);
    return new Map(rows.map((r) => [r.category_id as number, r.n as number]));
  }

  async putImage(instance: string, image: NewImage, vectors: Record<string, Vector>, capacity: number): Promise<PutResult> {
    return this.tx(async (t) => {
      // The instance row lock serialises writers of one instance: the capacity check and the
      // replace-by-key cannot race with another node's.
      const inst = (await t.q('SELECT image_count FROM instances WHERE name = $1 FOR UPDATE', [instance])).rows[0];
      if (!inst) throw new TusouError('INSTANCE_NOT_FOUND', { name: instance });
      const old = (await t.q('SELECT label, sha256 FROM images WHERE instance = $1 AND product_id = $2 AND pic_name = $3', [instance, image.productId, image.picName])).rows[0];
      if (old) await t.q('DELETE FROM images WHERE label = $1', [old.label]);
      else if ((inst.image_count as number) >= capacity) throw new TusouError('INSTANCE_FULL', { name: instance, capacity });
      else await t.q('UPDATE instances SET image_count = image_count + 1 WHERE name = $1', [instance]);
      const label = (await t.q(`INSERT INTO images (instance, product_id, pic_name, category_id,
          int_attr, int_attr2, int_attr3, int_attr4, str_attr, str_attr2, str_attr3, str_attr4, custom_content,
          region, regions, width, height, format, sha256, bytes, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING label`, [
        instance, image.productId, image.picName, image.categoryId, image.intAttr, image.intAttr2, image.intAttr3, image.intAttr4,
        image.strAttr, image.strAttr2, image.strAttr3, image.strAttr4, image.customContent,
        jsonb(image.region), jsonb(image.regions), image.width, image.height, image.format, image.sha256, image.bytes,
        image.createdAt, image.updatedAt,
      ])).rows[0].label as number;
      for (const [descriptor, v] of Object.entries(vectors)) await this.insertVector(t, label, descriptor, v);
      const result: PutResult = { label };
      t.log(instance, 'images', old ? [old.label as number, label] : [label]);
      if (old) {
        result.replaced = old.label as number;
        if (old.sha256 !== image.sha256 && (await this.unreferenced(t, [old.sha256 as string])).length) result.orphanedBlob = old.sha256 as string;
      }
      return result;
    });
  }

  /** Insert or replace one vector, with its pgvector copy when pgvector is in use. */
  private async insertVector(t: Tx, label: number, descriptor: string, v: Vector): Promise<number> {
    const kind = v instanceof Uint8Array ? KIND_BITS : KIND_FLOAT;
    if (!this.vectorSearch) {
      return (await t.q(`INSERT INTO vectors (label, descriptor, kind, data) SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM images WHERE label = $1)
        ON CONFLICT (label, descriptor) DO UPDATE SET kind = EXCLUDED.kind, data = EXCLUDED.data`, [label, descriptor, kind, toBytes(v)])).rowCount;
    }
    const lit = vectorLiteral(v);
    return (await t.q(`INSERT INTO vectors (label, descriptor, kind, data, embedding, code)
        SELECT $1, $2, $3, $4, $5::vector, $6::varbit WHERE EXISTS (SELECT 1 FROM images WHERE label = $1)
        ON CONFLICT (label, descriptor) DO UPDATE SET kind = EXCLUDED.kind, data = EXCLUDED.data, embedding = EXCLUDED.embedding, code = EXCLUDED.code`,
    [label, descriptor, kind, toBytes(v), lit.embedding, lit.code])).rowCount;
  }

  async getImage(instance: string, key: ImageKey): Promise<ImageRecord | undefined> {
    const rows = await this.q('SELECT * FROM images WHERE instance = $1 AND product_id = $2 AND pic_name = $3', [instance, key.productId, key.picName]);
    return rows[0] && toImage(rows[0]);
  }

  async getImagesByLabel(instance: string, labels: readonly number[]): Promise<Map<number, ImageRecord>> {
    const out = new Map<number, ImageRecord>();
    for (let i = 0; i < labels.length; i += 5000) {
      const rows = await this.q('SELECT * FROM images WHERE instance = $1 AND label = ANY($2::bigint[])', [instance, labels.slice(i, i + 5000)]);
      for (const r of rows) out.set(r.label as number, toImage(r));
    }
    return out;
  }

  async updateImage(instance: string, key: ImageKey, patch: Partial<ImageAttributes>, now: number): Promise<ImageRecord | undefined> {
    return this.tx(async (t) => {
      const params: unknown[] = [now];
      const sets: string[] = ['updated_at = $1'];
      for (const [k, v] of Object.entries(patch) as [keyof ImageAttributes, string | number][]) {
        params.push(v);
        sets.push(`${ATTR_COLUMNS[k]} = $${params.length}`);
      }
      params.push(instance, key.productId, key.picName);
      const n = params.length;
      const rows = (await t.q(`UPDATE images SET ${sets.join(', ')} WHERE instance = $${n - 2} AND product_id = $${n - 1} AND pic_name = $${n} RETURNING *`, params)).rows;
      if (rows.length === 0) return undefined;
      const image = toImage(rows[0]);
      t.log(instance, 'images', [image.label]);
      return image;
    });
  }

  async deleteImages(instance: string, selection: ImageSelection & { picName?: string }): Promise<DeleteResult> {
    const w = selectionToSql(instance, selection, 'postgres');
    return this.tx(async (t) => {
      const rows = (await t.q(`DELETE FROM images WHERE ${w.sql} RETURNING label, product_id, pic_name, sha256`, w.params)).rows
        .sort((a, b) => (a.label as number) - (b.label as number));
      if (rows.length) {
        await t.q('UPDATE instances SET image_count = image_count - $1 WHERE name = $2', [rows.length, instance]);
        t.log(instance, 'images', rows.map((r) => r.label as number));
      }
      return {
        deleted: rows.map((r) => ({ label: r.label as number, productId: r.product_id as string, picName: r.pic_name as string, sha256: r.sha256 as string })),
        orphanedBlobs: await this.unreferenced(t, [...new Set(rows.map((r) => r.sha256 as string))]),
      };
    });
  }

  async listImages(instance: string, selection: ImageSelection, page: { afterLabel?: number; offset?: number; limit: number }): Promise<ImageRecord[]> {
    const w = selectionToSql(instance, selection, 'postgres');
    const n = w.params.length;
    const rows = await this.q(`SELECT * FROM images WHERE ${w.sql} AND label > $${n + 1} ORDER BY label LIMIT $${n + 2} OFFSET $${n + 3}`,
      [...w.params, page.afterLabel ?? 0, page.limit, page.offset ?? 0]);
    return rows.map(toImage);
  }

  async selectLabels(instance: string, selection: ImageSelection): Promise<number[]> {
    const w = selectionToSql(instance, selection, 'postgres');
    return (await this.q(`SELECT label FROM images WHERE ${w.sql}`, w.params)).map((r) => r.label as number);
  }

  async getVectors(descriptor: string, labels: readonly number[]): Promise<Map<number, Vector>> {
    const out = new Map<number, Vector>();
    for (let i = 0; i < labels.length; i += 5000) {
      const rows = await this.q('SELECT label, kind, data FROM vectors WHERE descriptor = $1 AND label = ANY($2::bigint[])', [descriptor, labels.slice(i, i + 5000)]);
      for (const r of rows) out.set(r.label as number, fromBytes(r.kind as number, r.data as Uint8Array));
    }
    return out;
  }

  async *scanAttributes(instance: string, batchSize = 20000): AsyncIterable<[number, Pick<ImageAttributes, 'categoryId' | 'intAttr' | 'intAttr2' | 'intAttr3' | 'intAttr4' | 'strAttr' | 'strAttr2' | 'strAttr3' | 'strAttr4'>][]> {
    let after = 0;
    for (;;) {
      const rows = await this.q(`SELECT label, category_id, int_attr, int_attr2, int_attr3, int_attr4, str_attr, str_attr2, str_attr3, str_attr4
        FROM images WHERE instance = $1 AND label > $2 ORDER BY label LIMIT $3`, [instance, after, batchSize]);
      if (rows.length === 0) return;
      yield rows.map((r) => [Number(r.label), {
        categoryId: Number(r.category_id), intAttr: Number(r.int_attr), intAttr2: Number(r.int_attr2), intAttr3: Number(r.int_attr3), intAttr4: Number(r.int_attr4),
        strAttr: r.str_attr as string, strAttr2: r.str_attr2 as string, strAttr3: r.str_attr3 as string, strAttr4: r.str_attr4 as string,
      }]);
      after = Number(rows[rows.length - 1].label);
    }
  }

  async *scanVectors(instance: string, descriptor: string, batchSize = 5000): AsyncIterable<[number, Vector][]> {
    let after = 0;
    for (;;) {
      const rows = await this.q(`SELECT v.label, v.kind, v.data FROM images i JOIN vectors v ON v.label = i.label AND v.descriptor = $2
        WHERE i.instance = $1 AND i.label > $3 ORDER BY i.label LIMIT $4`, [instance, descriptor, after, batchSize]);
      if (rows.length === 0) return;
      yield rows.map((r) => [r.label as number, fromBytes(r.kind as number, r.data as Uint8Array)]);
      after = rows[rows.length - 1].label as number;
    }
  }

  async putVectors(descriptor: string, entries: readonly [number, Vector][]): Promise<void> {
    if (entries.length === 0) return;
    await this.tx(async (t) => {
      const written: number[] = [];
      // An image deleted meanwhile has no row to attach a vector to: it is skipped.
      for (const [label, v] of entries) if (await this.insertVector(t, label, descriptor, v)) written.push(label);
      if (written.length === 0) return;
      const groups = (await t.q('SELECT instance, array_agg(label ORDER BY label) AS labels FROM images WHERE label = ANY($1::bigint[]) GROUP BY instance', [written])).rows;
      for (const g of groups) t.log(g.instance as string, 'images', (g.labels as (number | string)[]).map(Number));
    });
  }

  async labelsWithoutVector(instance: string, descriptor: string): Promise<number[]> {
    return (await this.q(`SELECT i.label FROM images i WHERE i.instance = $1
      AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.label = i.label AND v.descriptor = $2) ORDER BY i.label`, [instance, descriptor])).map((r) => r.label as number);
  }

  async deleteVectors(instance: string, descriptor: string): Promise<void> {
    await this.tx((t) => t.q('DELETE FROM vectors WHERE descriptor = $1 AND label IN (SELECT label FROM images WHERE instance = $2)', [descriptor, instance]));
  }

  async updateInstance(name: string, patch: Pick<Instance, 'descriptor' | 'metric' | 'index'>): Promise<void> {
    await this.tx(async (t) => {
      await t.q('UPDATE instances SET descriptor = $1, metric = $2, index_spec = $3 WHERE name = $4', [patch.descriptor, patch.metric, patch.index, name]);
      t.log(name, 'instance', []);
    });
  }

  async isBlobReferenced(sha256: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM images WHERE sha256 = $1 LIMIT 1', [sha256])).length > 0;
  }

  async createAccessKey(key: AccessKey): Promise<void> {
    await this.tx(async (t) => {
      const r = await t.q(`INSERT INTO access_keys (id, secret, description, created_at, revoked_at, instances, read_only, qps)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [key.id, key.secret, key.description, key.createdAt, key.revokedAt ?? null, key.instances ?? null, key.readOnly ?? false, key.qps ?? null]);
      if (r.rowCount === 0) throw new TusouError('PARAM_INVALID', { field: 'id', expected: 'a new access key id', got: key.id });
    });
  }

  async getAccessKey(id: string): Promise<AccessKey | undefined> {
    const rows = await this.q('SELECT * FROM access_keys WHERE id = $1', [id]);
    return rows[0] && toAccessKey(rows[0]);
  }

  async listAccessKeys(): Promise<AccessKey[]> {
    return (await this.q('SELECT * FROM access_keys ORDER BY created_at, id COLLATE "C"')).map(toAccessKey);
  }

  async revokeAccessKey(id: string, now: number): Promise<boolean> {
    return this.tx(async (t) => {
      if ((await t.q('SELECT 1 FROM access_keys WHERE id = $1 FOR UPDATE', [id])).rows.length === 0) return false;
      await t.q('UPDATE access_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
      return true;
    });
  }

  async createTask(task: Omit<Task, 'id'>, node = ''): Promise<Task> {
    const running = () => new TusouError('TASK_ALREADY_RUNNING', { kind: task.kind, instance: task.instance });
    try {
      return await this.tx(async (t) => {
        if ((await t.q("SELECT 1 FROM tasks WHERE instance = $1 AND kind = $2 AND status = 'PROCESSING'", [task.instance, task.kind])).rows.length) throw running();
        const id = (await t.q(`INSERT INTO tasks (instance, kind, status, message, error, source, files, counts, created_at, updated_at, node)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, [
          task.instance, task.kind, task.status, task.message, task.error ? jsonb(task.error) : null,
          task.source ? jsonb(task.source) : null, jsonb(task.files), jsonb(task.counts), task.createdAt, task.updatedAt, node,
        ])).rows[0].id as number;
        return { ...task, id };
      });
    } catch (err) {
      // Two nodes created one concurrently: the partial unique index let only one through.
      if ((err as { code?: string }).code === '23505') throw running();
      throw err;
    }
  }

  async updateTask(id: number, patch: TaskPatch, now: number): Promise<void> {
    const params: unknown[] = [now];
    const sets: string[] = ['updated_at = $1'];
    const set = (col: string, v: unknown) => { params.push(v); sets.push(`${col} = $${params.length}`); };
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.message !== undefined) set('message', patch.message);
    if (patch.error !== undefined) set('error', jsonb(patch.error));
    if (patch.files !== undefined) set('files', jsonb(patch.files));
    if (patch.counts !== undefined) set('counts', jsonb(patch.counts));
    params.push(id);
    await this.q(`UPDATE tasks SET ${sets.join(', ')} WHERE id = $${params.length}`, params);
  }

  async getTask(id: number): Promise<Task | undefined> {
    const rows = await this.q('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows[0] && toTask(rows[0]);
  }

  async listTasks(instance: string, kind: TaskKind, query: TaskQuery): Promise<TaskPage> {
    const params: unknown[] = [instance, kind];
    const parts = ['instance = $1', 'kind = $2'];
    const add = (sql: string, v: unknown) => { params.push(v); parts.push(`${sql} = $${params.length}`); };
    if (query.id !== undefined) add('id', query.id);
    if (query.bucketName !== undefined) add("source->>'bucketName'", query.bucketName);
    if (query.path !== undefined) add("source->>'path'", query.path);
    const where = parts.join(' AND ');
    const total = (await this.q(`SELECT count(*) AS n FROM tasks WHERE ${where}`, params))[0].n as number;
    const rows = await this.q(`SELECT * FROM tasks WHERE ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, query.limit, query.offset]);
    return { total, tasks: rows.map(toTask) };
  }

  async failRunningTasks(error: NonNullable<Task['error']>, message: string, now: number, node?: string): Promise<Task[]> {
    const rows = node === undefined
      ? await this.q("UPDATE tasks SET status = 'FAIL', error = $1, message = $2, updated_at = $3 WHERE status = 'PROCESSING' RETURNING *", [jsonb(error), message, now])
      : await this.q("UPDATE tasks SET status = 'FAIL', error = $1, message = $2, updated_at = $3 WHERE status = 'PROCESSING' AND node IN ($4, '') RETURNING *", [jsonb(error), message, now, node]);
    return rows.map(toTask).sort((a, b) => a.id - b.id);
  }

  async recordOutcome(batch: string, o: IngestOutcome): Promise<void> {
    await this.q(`INSERT INTO ingest_outcomes (batch, item, status, detail) VALUES ($1, $2, $3, $4)
      ON CONFLICT (batch, item) DO UPDATE SET status = EXCLUDED.status, detail = EXCLUDED.detail`, [batch, o.item, o.status, jsonb(o.detail)]);
  }

  async batchCounts(batch: string): Promise<Record<IngestOutcome['status'], number>> {
    const counts = { added: 0, replaced: 0, deleted: 0, failed: 0 };
    for (const r of await this.q('SELECT status, count(*) AS n FROM ingest_outcomes WHERE batch = $1 GROUP BY status', [batch])) {
      counts[r.status as IngestOutcome['status']] = r.n as number;
    }
    return counts;
  }

  async batchFailures(batch: string): Promise<IngestOutcome[]> {
    return (await this.q("SELECT item, detail FROM ingest_outcomes WHERE batch = $1 AND status = 'failed' ORDER BY item", [batch]))
      .map((r) => ({ item: r.item as number, status: 'failed', detail: r.detail as Record<string, unknown> }));
  }

  async deleteBatch(batch: string): Promise<void> {
    await this.q('DELETE FROM ingest_outcomes WHERE batch = $1', [batch]);
  }

  async storeId(): Promise<string> {
    return this.id!;
  }

  async lastChange(): Promise<number> {
    // After a trim that emptied the log, the position is where the trim stopped: it never goes back.
    return (await this.q("SELECT greatest((SELECT max(seq) FROM changes), value::bigint) AS s FROM store_meta WHERE key = 'trimmed_through'"))[0].s as number;
  }

  async changesSince(after: number, limit: number, instance?: string): Promise<ChangePage> {
    const trimmedThrough = Number((await this.q("SELECT value FROM store_meta WHERE key = 'trimmed_through'"))[0].value);
    const rows = instance === undefined
      ? await this.q('SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2', [after, limit])
      : await this.q('SELECT * FROM changes WHERE instance = $1 AND seq > $2 ORDER BY seq LIMIT $3', [instance, after, limit]);
    return {
      trimmed: after < trimmedThrough,
      changes: rows.map((r) => ({ seq: r.seq as number, instance: r.instance as string, kind: r.kind as Change['kind'], labels: r.labels as number[] })),
    };
  }

  async watchChanges(listener: () => void): Promise<() => Promise<void>> {
    try {
      return await this.driver.listen(this.channel, listener);
    } catch (err) {
      return translate(err);
    }
  }

  async trimChanges(beforeMs: number): Promise<number> {
    return this.tx(async (t) => {
      const last = (await t.q('SELECT max(seq) AS s FROM changes WHERE created_at < $1', [beforeMs])).rows[0].s as number | null;
      if (last === null) return 0;
      const n = (await t.q('DELETE FROM changes WHERE seq <= $1', [last])).rowCount;
      await t.q("UPDATE store_meta SET value = $1 WHERE key = 'trimmed_through' AND value::bigint < $2", [String(last), last]);
      return n;
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
