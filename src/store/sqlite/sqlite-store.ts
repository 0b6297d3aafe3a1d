// The embedded store: one SQLite file (better-sqlite3, WAL, synchronous=FULL) holding instances,
// images and vectors. A write resolves only after its transaction is on disk.

import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { chmodSync } from 'node:fs';
import {
  TusouError, type AccessKey, type Box, type DetectedRegion, type ImageAttributes, type ImageKey, type ImageRecord,
  type Instance, type Task, type TaskKind, type TaskPage, type TaskPatch, type TaskQuery, type Vector,
} from '../../domain/index.js';
import type { Change, ChangePage, DeleteResult, ImageSelection, IngestOutcome, NewImage, PutResult, Store } from '../store.js';
import { selectionToSql } from '../filter-sql.js';
import { MIGRATIONS } from './schema.js';

type Row = Record<string, unknown>;

const ATTR_COLUMNS: Record<keyof ImageAttributes, string> = {
  categoryId: 'category_id',
  intAttr: 'int_attr', intAttr2: 'int_attr2', intAttr3: 'int_attr3', intAttr4: 'int_attr4',
  strAttr: 'str_attr', strAttr2: 'str_attr2', strAttr3: 'str_attr3', strAttr4: 'str_attr4',
  customContent: 'custom_content',
};

const KIND_FLOAT = 0;
const KIND_BITS = 1;

function toBlob(v: Vector): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBlob(kind: number, data: Buffer): Vector {
  const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
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
  if (typeof r.instances === 'string') key.instances = JSON.parse(r.instances) as string[];
  if (r.read_only) key.readOnly = true;
  if (typeof r.qps === 'number') key.qps = r.qps;
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
  if (r.source) task.source = JSON.parse(r.source as string) as Task['source'];
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

/** Translate SQLite failures the caller can act on into catalogue errors; rethrow the rest. */
function translate(err: unknown): never {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw new TusouError('STORE_UNAVAILABLE', { reason: 'the database is locked by another process' }, { cause: err });
  if (code.startsWith('SQLITE_FULL')) throw new TusouError('STORE_UNAVAILABLE', { reason: 'the disk is full' }, { cause: err });
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    throw new TusouError('STORE_UNAVAILABLE', { reason: 'the data directory is not writable' }, { cause: err });
  }
  if (code.startsWith('SQLITE_IOERR')) throw new TusouError('STORE_UNAVAILABLE', { reason: 'a disk I/O error occurred' }, { cause: err });
  throw err;
}

export interface SqliteStoreOptions {
  /** `FULL` (default) makes every commit durable against power loss, not just process crashes. */
  synchronous?: 'FULL' | 'NORMAL';
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;
  /** Wakes watchers after a transaction that logged changes commits (one process owns the file). */
  private readonly feed = new EventEmitter();
  private logged = false;

  constructor(readonly file: string, opts: SqliteStoreOptions = {}) {
    let opened: Database.Database | undefined;
    try {
      this.db = opened = new Database(file);
      // The file holds access key secrets: owner-only. SQLite gives -wal/-shm the same mode.
      if (file !== ':memory:' && file !== '') chmodSync(file, 0o600);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      // Larger page cache and memory-mapped reads: vector reads of the exact-scan path are random.
      this.db.pragma('cache_size = -65536');
      this.db.pragma('mmap_size = 268435456');
      this.migrate();
    } catch (err) {
      // A database that opened but cannot be set up must not stay open (it would hold the file).
      if (opened?.open) opened.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_')) translate(err);
      throw new TusouError('STORE_UNAVAILABLE', { reason: `cannot open the database: ${(err as Error).message}` }, { cause: err });
    }
    const db = this.db;
    this.stmt = {
      insertInstance: db.prepare(`INSERT INTO instances (name, service_type, capacity, descriptor, metric, index_spec, created_at, reranker)
        VALUES (@name, @serviceType, @capacity, @descriptor, @metric, @index, @createdAt, @reranker)`),
      getInstance: db.prepare('SELECT * FROM instances WHERE name = ?'),
      listInstances: db.prepare('SELECT * FROM instances ORDER BY name'),
      deleteInstance: db.prepare('DELETE FROM instances WHERE name = ?'),
      instanceBlobs: db.prepare('SELECT DISTINCT sha256 FROM images WHERE instance = ?').pluck(),
      getImage: db.prepare('SELECT * FROM images WHERE instance = ? AND product_id = ? AND pic_name = ?'),
      deleteLabel: db.prepare('DELETE FROM images WHERE label = ?'),
      insertImage: db.prepare(`INSERT INTO images (instance, product_id, pic_name, category_id,
          int_attr, int_attr2, int_attr3, int_attr4, str_attr, str_attr2, str_attr3, str_attr4, custom_content,
          region, regions, width, height, format, sha256, bytes, created_at, updated_at)
        VALUES (@instance, @productId, @picName, @categoryId, @intAttr, @intAttr2, @intAttr3, @intAttr4,
          @strAttr, @strAttr2, @strAttr3, @strAttr4, @customContent, @region, @regions, @width, @height,
          @format, @sha256, @bytes, @createdAt, @updatedAt)`),
      insertVector: db.prepare('INSERT INTO vectors (label, descriptor, kind, data) VALUES (?, ?, ?, ?)'),
      blobUsed: db.prepare('SELECT 1 FROM images WHERE sha256 = ? LIMIT 1').pluck(),
      imageCount: db.prepare('SELECT image_count FROM instances WHERE name = ?').pluck(),
      addCount: db.prepare('UPDATE instances SET image_count = image_count + ? WHERE name = ?'),
      logChange: db.prepare('INSERT INTO changes (instance, kind, labels, created_at) VALUES (?, ?, ?, ?)'),
      instanceOfLabel: db.prepare('SELECT instance FROM images WHERE label = ?').pluck(),
    };
    this.feed.setMaxListeners(0);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Run `fn` in an immediate transaction, translating SQLite failures; wake watchers if it logged changes. */
  private tx<T>(fn: () => T): T {
    this.logged = false;
    let out: T;
    try {
      out = this.db.transaction(fn).immediate();
    } catch (err) {
      this.logged = false;
      return translate(err);
    }
    if (this.logged) {
      this.logged = false;
      setImmediate(() => this.feed.emit('change'));
    }
    return out;
  }

  /** Append a change-feed entry inside the current transaction. */
  private log(instance: string, kind: Change['kind'], labels: readonly number[]): void {
    this.stmt.logChange.run(instance, kind, JSON.stringify(labels), Date.now());
    this.logged = true;
  }

  async createInstance(i: Instance): Promise<void> {
    this.tx(() => {
      if (this.stmt.getInstance.get(i.name)) throw new TusouError('INSTANCE_EXISTS', { name: i.name });
      this.stmt.insertInstance.run({ ...i, reranker: i.reranker ?? null });
      this.log(i.name, 'instance', []);
    });
  }

  async getInstance(name: string): Promise<Instance | undefined> {
    const r = this.stmt.getInstance.get(name) as Row | undefined;
    return r && toInstance(r);
  }

  async listInstances(): Promise<Instance[]> {
    return (this.stmt.listInstances.all() as Row[]).map(toInstance);
  }

  async deleteInstance(name: string): Promise<{ existed: boolean; orphanedBlobs: string[] }> {
    return this.tx(() => {
      const blobs = this.stmt.instanceBlobs.all(name) as string[];
      const existed = this.stmt.deleteInstance.run(name).changes > 0;
      if (existed) this.log(name, 'instance', []);
      return { existed, orphanedBlobs: blobs.filter((b) => !this.stmt.blobUsed.get(b)) };
    });
  }

  async countImages(instance: string, selection: ImageSelection = {}): Promise<number> {
    if (selection.categoryId === undefined && !selection.filter && selection.productId === undefined) {
      return (this.stmt.imageCount.get(instance) as number | undefined) ?? 0;
    }
    const w = selectionToSql(instance, selection);
    return this.db.prepare(`SELECT count(*) FROM images WHERE ${w.sql}`).pluck().get(...w.params) as number;
  }

  async categoryCounts(instance: string): Promise<Map<number, number>> {
    const rows = this.db.prepare('SELECT category_id, count(*) AS n FROM images WHERE instance = ? GROUP BY category_id').all(instance) as Row[];
    return new Map(rows.map((r) => [r.category_id as number, r.n as number]));
  }

  async putImage(instance: string, image: NewImage, vectors: Record<string, Vector>, capacity: number): Promise<PutResult> {
    return this.tx(() => {
      const old = this.stmt.getImage.get(instance, image.productId, image.picName) as Row | undefined;
      if (old) this.stmt.deleteLabel.run(old.label);
      else if ((this.stmt.imageCount.get(instance) as number) >= capacity) throw new TusouError('INSTANCE_FULL', { name: instance, capacity });
      else this.stmt.addCount.run(1, instance);
      const info = this.stmt.insertImage.run({
        ...image, instance, region: JSON.stringify(image.region), regions: JSON.stringify(image.regions),
      });
      const label = Number(info.lastInsertRowid);
      for (const [descriptor, v] of Object.entries(vectors)) {
        this.stmt.insertVector.run(label, descriptor, v instanceof Uint8Array ? KIND_BITS : KIND_FLOAT, toBlob(v));
      }
      const result: PutResult = { label };
      this.log(instance, 'images', old ? [old.label as number, label] : [label]);
      if (old) {
        result.replaced = old.label as number;
        if (old.sha256 !== image.sha256 && !this.stmt.blobUsed.get(old.sha256)) result.orphanedBlob = old.sha256 as string;
      }
      return result;
    });
  }

  async getImage(instance: string, key: ImageKey): Promise<ImageRecord | undefined> {
    const r = this.stmt.getImage.get(instance, key.productId, key.picName) as Row | undefined;
    return r && toImage(r);
  }

  async getImagesByLabel(instance: string, labels: readonly number[]): Promise<Map<number, ImageRecord>> {
    const out = new Map<number, ImageRecord>();
    for (let i = 0; i < labels.length; i += 500) {
      const chunk = labels.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT * FROM images WHERE instance = ? AND label IN (${chunk.map(() => '?').join(',')})`)
        .all(instance, ...chunk) as Row[];
      for (const r of rows) out.set(r.label as number, toImage(r));
    }
    return out;
  }

  async updateImage(instance: string, key: ImageKey, patch: Partial<ImageAttributes>, now: number): Promise<ImageRecord | undefined> {
    return this.tx(() => {
      const sets: string[] = ['updated_at = ?'];
      const params: (string | number)[] = [now];
      for (const [k, v] of Object.entries(patch) as [keyof ImageAttributes, string | number][]) {
        sets.push(`${ATTR_COLUMNS[k]} = ?`);
        params.push(v);
      }
      const info = this.db.prepare(`UPDATE images SET ${sets.join(', ')} WHERE instance = ? AND product_id = ? AND pic_name = ?`)
        .run(...params, instance, key.productId, key.picName);
      if (info.changes === 0) return undefined;
      const image = toImage(this.stmt.getImage.get(instance, key.productId, key.picName) as Row);
      this.log(instance, 'images', [image.label]);
      return image;
    });
  }

  async deleteImages(instance: string, selection: ImageSelection & { picName?: string }): Promise<DeleteResult> {
    const w = selectionToSql(instance, selection);
    return this.tx(() => {
      const rows = this.db.prepare(`SELECT label, product_id, pic_name, sha256 FROM images WHERE ${w.sql} ORDER BY label`).all(...w.params) as Row[];
      this.db.prepare(`DELETE FROM images WHERE ${w.sql}`).run(...w.params);
      this.stmt.addCount.run(-rows.length, instance);
      if (rows.length) this.log(instance, 'images', rows.map((r) => r.label as number));
      const shas = [...new Set(rows.map((r) => r.sha256 as string))];
      return {
        deleted: rows.map((r) => ({ label: r.label as number, productId: r.product_id as string, picName: r.pic_name as string, sha256: r.sha256 as string })),
        orphanedBlobs: shas.filter((s) => !this.stmt.blobUsed.get(s)),
      };
    });
  }

  async listImages(instance: string, selection: ImageSelection, page: { afterLabel?: number; offset?: number; limit: number }): Promise<ImageRecord[]> {
    const w = selectionToSql(instance, selection);
    const rows = this.db.prepare(`SELECT * FROM images WHERE ${w.sql} AND label > ? ORDER BY label LIMIT ? OFFSET ?`)
      .all(...w.params, page.afterLabel ?? 0, page.limit, page.offset ?? 0) as Row[];
    return rows.map(toImage);
  }

  async selectLabels(instance: string, selection: ImageSelection): Promise<number[]> {
    const w = selectionToSql(instance, selection);
    return this.db.prepare(`SELECT label FROM images WHERE ${w.sql}`).pluck().all(...w.params) as number[];
  }

  async getVectors(descriptor: string, labels: readonly number[]): Promise<Map<number, Vector>> {
    const out = new Map<number, Vector>();
    for (let i = 0; i < labels.length; i += 500) {
      const chunk = labels.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT label, kind, data FROM vectors WHERE descriptor = ? AND label IN (${chunk.map(() => '?').join(',')})`)
        .all(descriptor, ...chunk) as Row[];
      for (const r of rows) out.set(r.label as number, fromBlob(r.kind as number, r.data as Buffer));
    }
    return out;
  }

  async *scanAttributes(instance: string, batchSize = 20000): AsyncIterable<[number, Pick<ImageAttributes, 'categoryId' | 'intAttr' | 'intAttr2' | 'intAttr3' | 'intAttr4' | 'strAttr' | 'strAttr2' | 'strAttr3' | 'strAttr4'>][]> {
    // One range of the (instance, label) index per batch (migration 6); before it, SQLite re-read
    // every row of the instance and sorted them for each batch: O(N²/batch) for a scan of N images.
    const q = this.db.prepare(`SELECT label, category_id, int_attr, int_attr2, int_attr3, int_attr4, str_attr, str_attr2, str_attr3, str_attr4
      FROM images WHERE instance = ? AND label > ? ORDER BY label LIMIT ?`).raw();
    let after = 0;
    for (;;) {
      const rows = q.all(instance, after, batchSize) as [number, number, number, number, number, number, string, string, string, string][];
      if (rows.length === 0) return;
      yield rows.map((r) => [r[0], {
        categoryId: r[1], intAttr: r[2], intAttr2: r[3], intAttr3: r[4], intAttr4: r[5], strAttr: r[6], strAttr2: r[7], strAttr3: r[8], strAttr4: r[9],
      }]);
      after = rows[rows.length - 1][0];
    }
  }

  async *scanVectors(instance: string, descriptor: string, batchSize = 5000): AsyncIterable<[number, Vector][]> {
    // The instance's labels in order from the (instance, label) index, then each one's vector:
    // linear over the whole scan. Joined the other way round SQLite read every vector of the
    // instance and sorted them again for each batch (hours at 1,000,000 images).
    const q = this.db.prepare(`SELECT v.label, v.kind, v.data FROM images i CROSS JOIN vectors v ON v.label = i.label AND v.descriptor = ?
      WHERE i.instance = ? AND i.label > ? ORDER BY i.label LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = q.all(descriptor, instance, after, batchSize) as Row[];
      if (rows.length === 0) return;
      yield rows.map((r) => [r.label as number, fromBlob(r.kind as number, r.data as Buffer)]);
      after = rows[rows.length - 1].label as number;
    }
  }

  async putVectors(descriptor: string, entries: readonly [number, Vector][]): Promise<void> {
    // An image deleted meanwhile has no row to attach a vector to: skip it.
    const put = this.db.prepare(`INSERT OR REPLACE INTO vectors (label, descriptor, kind, data)
      SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM images WHERE label = ?)`);
    this.tx(() => {
      const byInstance = new Map<string, number[]>();
      for (const [label, v] of entries) {
        if (put.run(label, descriptor, v instanceof Uint8Array ? KIND_BITS : KIND_FLOAT, toBlob(v), label).changes === 0) continue;
        const instance = this.stmt.instanceOfLabel.get(label) as string;
        byInstance.set(instance, [...(byInstance.get(instance) ?? []), label]);
      }
      for (const [instance, labels] of byInstance) this.log(instance, 'images', labels);
    });
  }

  async labelsWithoutVector(instance: string, descriptor: string): Promise<number[]> {
    return this.db.prepare(`SELECT i.label FROM images i WHERE i.instance = ?
      AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.label = i.label AND v.descriptor = ?)`).pluck().all(instance, descriptor) as number[];
  }

  async deleteVectors(instance: string, descriptor: string): Promise<void> {
    this.tx(() => this.db.prepare('DELETE FROM vectors WHERE descriptor = ? AND label IN (SELECT label FROM images WHERE instance = ?)').run(descriptor, instance));
  }

  async updateInstance(name: string, patch: Pick<Instance, 'descriptor' | 'metric' | 'index'>): Promise<void> {
    this.tx(() => {
      this.db.prepare('UPDATE instances SET descriptor = @descriptor, metric = @metric, index_spec = @index WHERE name = @name').run({ ...patch, name });
      this.log(name, 'instance', []);
    });
  }

  async isBlobReferenced(sha256: string): Promise<boolean> {
    return Boolean(this.stmt.blobUsed.get(sha256));
  }

  async createAccessKey(key: AccessKey): Promise<void> {
    this.tx(() => {
      if (this.db.prepare('SELECT 1 FROM access_keys WHERE id = ?').get(key.id)) {
        throw new TusouError('PARAM_INVALID', { field: 'id', expected: 'a new access key id', got: key.id });
      }
      this.db.prepare('INSERT INTO access_keys (id, secret, description, created_at, revoked_at, instances, read_only, qps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(key.id, key.secret, key.description, key.createdAt, key.revokedAt ?? null,
          key.instances ? JSON.stringify(key.instances) : null, key.readOnly ? 1 : 0, key.qps ?? null);
    });
  }

  async getAccessKey(id: string): Promise<AccessKey | undefined> {
    const r = this.db.prepare('SELECT * FROM access_keys WHERE id = ?').get(id) as Row | undefined;
    return r && toAccessKey(r);
  }

  async listAccessKeys(): Promise<AccessKey[]> {
    return (this.db.prepare('SELECT * FROM access_keys ORDER BY created_at, id').all() as Row[]).map(toAccessKey);
  }

  async revokeAccessKey(id: string, now: number): Promise<boolean> {
    return this.tx(() => {
      if (!this.db.prepare('SELECT 1 FROM access_keys WHERE id = ?').get(id)) return false;
      this.db.prepare('UPDATE access_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
      return true;
    });
  }

  async createTask(task: Omit<Task, 'id'>, node = ''): Promise<Task> {
    return this.tx(() => {
      if (this.db.prepare("SELECT 1 FROM tasks WHERE instance = ? AND kind = ? AND status = 'PROCESSING'").get(task.instance, task.kind)) {
        throw new TusouError('TASK_ALREADY_RUNNING', { kind: task.kind, instance: task.instance });
      }
      const info = this.db.prepare(`INSERT INTO tasks (instance, kind, status, message, error, source, files, counts, created_at, updated_at, node)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        task.instance, task.kind, task.status, task.message, task.error ? JSON.stringify(task.error) : null,
        task.source ? JSON.stringify(task.source) : null, JSON.stringify(task.files), JSON.stringify(task.counts),
        task.createdAt, task.updatedAt, node,
      );
      return { ...task, id: Number(info.lastInsertRowid) };
    });
  }

  async updateTask(id: number, patch: TaskPatch, now: number): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const params: (string | number | null)[] = [now];
    if (patch.status !== undefined) { sets.push('status = ?'); params.push(patch.status); }
    if (patch.message !== undefined) { sets.push('message = ?'); params.push(patch.message); }
    if (patch.error !== undefined) { sets.push('error = ?'); params.push(JSON.stringify(patch.error)); }
    if (patch.files !== undefined) { sets.push('files = ?'); params.push(JSON.stringify(patch.files)); }
    if (patch.counts !== undefined) { sets.push('counts = ?'); params.push(JSON.stringify(patch.counts)); }
    this.tx(() => this.db.prepare(`UPDATE tasks SET ${sets.join(', ')} WHERE id = ?`).run(...params, id));
  }

  async getTask(id: number): Promise<Task | undefined> {
    const r = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
    return r && toTask(r);
  }

  async listTasks(instance: string, kind: TaskKind, query: TaskQuery): Promise<TaskPage> {
    const parts = ['instance = ?', 'kind = ?'];
    const params: (string | number)[] = [instance, kind];
    if (query.id !== undefined) { parts.push('id = ?'); params.push(query.id); }
    if (query.bucketName !== undefined) { parts.push("json_extract(source, '$.bucketName') = ?"); params.push(query.bucketName); }
    if (query.path !== undefined) { parts.push("json_extract(source, '$.path') = ?"); params.push(query.path); }
    const where = parts.join(' AND ');
    const total = this.db.prepare(`SELECT count(*) FROM tasks WHERE ${where}`).pluck().get(...params) as number;
    const rows = this.db.prepare(`SELECT * FROM tasks WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset) as Row[];
    return { total, tasks: rows.map(toTask) };
  }

  async failRunningTasks(error: NonNullable<Task['error']>, message: string, now: number, node?: string): Promise<Task[]> {
    const mine = node === undefined ? '' : " AND node IN (?, '')";
    const nodeParams = node === undefined ? [] : [node];
    return this.tx(() => {
      const ids = this.db.prepare(`SELECT id FROM tasks WHERE status = 'PROCESSING'${mine} ORDER BY id`).pluck().all(...nodeParams) as number[];
      const update = this.db.prepare("UPDATE tasks SET status = 'FAIL', error = ?, message = ?, updated_at = ? WHERE id = ?");
      for (const id of ids) update.run(JSON.stringify(error), message, now, id);
      return ids.map((id) => toTask(this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Row));
    });
  }

  async recordOutcome(batch: string, o: IngestOutcome): Promise<void> {
    this.tx(() => this.db.prepare('INSERT OR REPLACE INTO ingest_outcomes (batch, item, status, detail) VALUES (?, ?, ?, ?)')
      .run(batch, o.item, o.status, JSON.stringify(o.detail)));
  }

  async batchCounts(batch: string): Promise<Record<IngestOutcome['status'], number>> {
    const counts = { added: 0, replaced: 0, deleted: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, count(*) AS n FROM ingest_outcomes WHERE batch = ? GROUP BY status').all(batch) as Row[]) {
      counts[r.status as IngestOutcome['status']] = r.n as number;
    }
    return counts;
  }

  async batchFailures(batch: string): Promise<IngestOutcome[]> {
    return (this.db.prepare("SELECT item, status, detail FROM ingest_outcomes WHERE batch = ? AND status = 'failed' ORDER BY item").all(batch) as Row[])
      .map((r) => ({ item: r.item as number, status: 'failed', detail: JSON.parse(r.detail as string) as Record<string, unknown> }));
  }

  async deleteBatch(batch: string): Promise<void> {
    this.tx(() => this.db.prepare('DELETE FROM ingest_outcomes WHERE batch = ?').run(batch));
  }

  async storeId(): Promise<string> {
    return this.db.prepare("SELECT value FROM store_meta WHERE key = 'store_id'").pluck().get() as string;
  }

  async lastChange(): Promise<number> {
    // After a trim that emptied the log, the position is where the trim stopped: it never goes back.
    return this.db.prepare("SELECT max(coalesce((SELECT max(seq) FROM changes), 0), CAST(value AS INTEGER)) FROM store_meta WHERE key = 'trimmed_through'").pluck().get() as number;
  }

  async changesSince(after: number, limit: number, instance?: string): Promise<ChangePage> {
    const trimmedThrough = Number(this.db.prepare("SELECT value FROM store_meta WHERE key = 'trimmed_through'").pluck().get());
    const rows = (instance === undefined
      ? this.db.prepare('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit)
      : this.db.prepare('SELECT * FROM changes WHERE instance = ? AND seq > ? ORDER BY seq LIMIT ?').all(instance, after, limit)) as Row[];
    return {
      trimmed: after < trimmedThrough,
      changes: rows.map((r) => ({ seq: r.seq as number, instance: r.instance as string, kind: r.kind as Change['kind'], labels: JSON.parse(r.labels as string) as number[] })),
    };
  }

  async watchChanges(listener: () => void): Promise<() => Promise<void>> {
    this.feed.on('change', listener);
    return async () => { this.feed.off('change', listener); };
  }

  async trimChanges(beforeMs: number): Promise<number> {
    return this.tx(() => {
      const last = this.db.prepare('SELECT max(seq) FROM changes WHERE created_at < ?').pluck().get(beforeMs) as number | null;
      if (last === null) return 0;
      const n = this.db.prepare('DELETE FROM changes WHERE seq <= ?').run(last).changes;
      this.db.prepare("UPDATE store_meta SET value = ? WHERE key = 'trimmed_through' AND CAST(value AS INTEGER) < ?").run(String(last), last);
      return n;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
