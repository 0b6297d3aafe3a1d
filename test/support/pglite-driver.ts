// PGlite (PostgreSQL in WebAssembly, with pgvector) behind the store's PgDriver interface: the
// pgvector SQL path runs in tests although Debian bookworm has no pgvector (DESIGN §3).

import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { PgDriver, PgSession } from '../../src/store/index.js';

/** A fresh in-memory PGlite database with the pgvector extension available. */
export async function openPglite(schema = 'public'): Promise<PgDriver> {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}, public`);
  const run = async (q: Pick<PGlite, 'query' | 'exec'>, sql: string, params: unknown[] = []) => {
    // Without parameters a script may hold several statements: the simple protocol runs them.
    const r = params.length ? await q.query<Record<string, unknown>>(sql, params) : (await q.exec(sql)).at(-1)!;
    return { rows: r.rows as Record<string, unknown>[], rowCount: r.affectedRows ?? r.rows.length };
  };
  return {
    query: (sql, params) => run(db, sql, params),
    // PGlite is one session: its transaction() holds it until COMMIT, so nothing interleaves.
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) } satisfies PgSession)),
    async listen(channel, onNotify) {
      const stop = await db.listen(channel, () => onNotify());
      return async () => { await stop(); };
    },
    close: () => db.close(),
  };
}
