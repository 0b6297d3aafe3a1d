// The stores a test can run against: SQLite always, PGlite (PostgreSQL in WebAssembly, with
// pgvector) always, and a real PostgreSQL server when TUSOU_TEST_PG_URL names one
// (postgres://user:password@host/db). Each PostgreSQL test gets its own fresh schema.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
