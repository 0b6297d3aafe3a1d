// The stores a test can run against: SQLite always, PGlite (PostgreSQL in WebAssembly, with
// pgvector) always, and a real PostgreSQL server when TUSOU_TEST_PG_URL names one
// (postgres://user:password@host/db). Each PostgreSQL test gets its own fresh schema.

import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import {
  FolderBlobStore, NodePgDriver, PgBlobStore, PgQueue, PgStore, SqliteStore, parsePgUrl, type BlobStore, type JobQueue, type Store,
} from '../../src/store/index.js';

/** The PostgreSQL server tests may use, or undefined (then PostgreSQL-only tests skip). */
export const PG_URL: string | undefined = process.env.TUSOU_TEST_PG_URL || undefined;

/** True when this test process runs the suite against PostgreSQL (`npm test` sets it on its second pass). */
export const ON_POSTGRES: boolean = process.env.TUSOU_TEST_STORE === 'postgres' && PG_URL !== undefined;

/**
 * A fresh schema on the test server: its `TUSOU_STORE` URL and a `drop()` that removes it (and
 * the queue's schema beside it).
 */
export async function freshPgSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('TUSOU_TEST_PG_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(PG_URL);
  u.searchParams.set('schema', schema);
  return {
    url: u.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The schema a test data directory's server uses on the PostgreSQL pass: one per directory, so a restart finds its data. */
export function schemaFor(dataDir: string): string {
  return `t_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
}

/** The `TUSOU_STORE` setting for a server on `dataDir`: none (SQLite) or its own PostgreSQL schema. */
export function testStoreEnv(dataDir: string): Record<string, string> {
  if (!ON_POSTGRES) return {};
  const u = new URL(PG_URL!);
  u.searchParams.set('schema', schemaFor(dataDir));
  return { TUSOU_STORE: u.toString(), TUSOU_STORE_POOL: '3' };
}

/** Drop the PostgreSQL schemas of a test data directory (nothing on the SQLite pass). */
export async function dropTestStore(dataDir: string): Promise<void> {
  if (!ON_POSTGRES) return;
  const schema = schemaFor(dataDir);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * The store, originals and queue a test engine on `dataDir` uses on this pass, plus raw SQL on
 * that store (to damage it behind the engine's back) and a way to lose an original.
 */
export async function openTestStorage(dataDir: string): Promise<{
  store: Store;
  blobs: BlobStore;
  queue?: JobQueue;
  node: string;
  sql(text: string): Promise<Record<string, unknown>[]>;
  loseOriginal(sha256: string): Promise<void>;
}> {
  if (!ON_POSTGRES) {
    const file = join(dataDir, 'tusou.db');
    const store = new SqliteStore(file);
    return {
      store, blobs: new FolderBlobStore(join(dataDir, 'originals')), node: '',
      async sql(text) {
        const db = new Database(file);
        try {
          const st = db.prepare(text);
          return st.reader ? st.all() as Record<string, unknown>[] : (st.run(), []);
        } finally {
          db.close();
        }
      },
      async loseOriginal(sha) {
        rmSync(join(dataDir, 'originals', sha.slice(0, 2), sha.slice(2, 4), sha), { force: true });
      },
    };
  }
  const conn = parsePgUrl(testStoreEnv(dataDir).TUSOU_STORE);
  const store = await PgStore.open(new NodePgDriver(conn, { max: 3 }), { schema: conn.schema });
  const queue = await PgQueue.open(conn, { jobTimeoutS: 30 });
  return {
    store, blobs: new PgBlobStore(store.driver), queue, node: 'test-node',
    sql: async (text) => (await store.driver.query(text)).rows,
    loseOriginal: async (sha) => { await store.driver.query('DELETE FROM blobs WHERE sha256 = $1', [sha]); },
  };
}

/** Raw SQL on a test data directory's store, to change it behind the engine's back. */
export async function testSql(dataDir: string): Promise<{
  /** Run statements (several allowed), no result. */
  exec(text: string): Promise<void>;
  /** One query's rows. */
  query(text: string): Promise<Record<string, unknown>[]>;
  /** Make a kept original disappear. */
  loseOriginal(sha256: string): Promise<void>;
  close(): Promise<void>;
}> {
  if (!ON_POSTGRES) {
    const db = new Database(join(dataDir, 'tusou.db'));
    return {
      exec: async (text) => { db.exec(text); },
      query: async (text) => db.prepare(text).all() as Record<string, unknown>[],
      loseOriginal: async (sha) => rmSync(join(dataDir, 'originals', sha.slice(0, 2), sha.slice(2, 4), sha), { force: true }),
      close: async () => { db.close(); },
    };
  }
  const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schemaFor(dataDir)}` });
  await c.connect();
  return {
    exec: async (text) => { await c.query(text); },
    query: async (text) => (await c.query(text)).rows as Record<string, unknown>[],
    loseOriginal: async (sha) => { await c.query('DELETE FROM blobs WHERE sha256 = $1', [sha]); },
    close: () => c.end(),
  };
}
