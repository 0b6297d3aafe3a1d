// The few things the PostgreSQL store needs from a connection: queries, transactions on one
// session, LISTEN. node-postgres implements it for servers; tests also plug in PGlite (with
// pgvector) through the same interface.

import pg from 'pg';

export type Row = Record<string, unknown>;

/** One session's queries (`$1, $2, …` placeholders). */
export interface PgSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
}

export interface PgDriver extends PgSession {
  /** Run `fn` between BEGIN and COMMIT on one session; ROLLBACK when it throws. */
  transaction<T>(fn: (session: PgSession) => Promise<T>): Promise<T>;
  /** Call `onNotify` for each NOTIFY on `channel` (and once after a lost listener reconnects). */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface PgConnection {
  /** The connection string without tusou's own parameters. */
  connectionString: string;
  /** Schema holding tusou's tables (`schema=` parameter); `public` by default. */
  schema: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,40}$/;

/**
 * Split `postgres://…?schema=name` into the driver's connection string and tusou's schema.
 * @throws Error naming the bad schema (configuration errors are reported by config.ts)
 */
export function parsePgUrl(url: string): PgConnection {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!SCHEMA.test(schema)) throw new Error(`schema must be a lower-case SQL identifier (a-z, 0-9, _); got ${JSON.stringify(schema)}`);
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

/** Types as plain numbers: bigint columns here hold labels, counts and milliseconds, all < 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** node-postgres: a pool for queries and transactions, one dedicated client per LISTEN. */
export class NodePgDriver implements PgDriver {
  private readonly pool: pg.Pool;
  private readonly config: pg.PoolConfig;

  constructor(conn: PgConnection, opts: { max?: number } = {}) {
    this.config = {
      connectionString: conn.connectionString,
      max: opts.max ?? 6,
      // Unqualified names resolve in tusou's schema; it is created by the migrations.
      options: `-c search_path=${conn.schema},public`,
      types,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    };
    this.pool = new pg.Pool(this.config);
    // An idle client that loses its server is dropped by the pool; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query(sql: string, params: unknown[] = []) {
    const r = await this.pool.query(sql, params);
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (session: PgSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const session: PgSession = {
        async query(sql, params = []) {
          const r = await client.query(sql, params);
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
        },
      };
      const out = await fn(session);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => { broken = e; });
      throw err;
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it instead of reusing it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const reconnect = () => {
      if (stopped) return;
      retry = setTimeout(() => {
        // Wake the follower once connected again: notifications sent meanwhile were lost.
        connect().then(onNotify, reconnect);
      }, 1000);
      retry.unref();
    };
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ ...this.config });
      c.on('notification', (m) => { if (m.channel === channel) onNotify(); });
      const lost = () => {
        if (stopped || client !== c) return;
        client = undefined;
        c.end().catch(() => undefined);
        reconnect();
      };
      c.on('error', lost);
      c.on('end', lost);
      try {
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (err) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
        throw err;
      }
      if (stopped) { await c.end().catch(() => undefined); return; }
      client = c;
    };
    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
