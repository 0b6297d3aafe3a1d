// Kept originals in PostgreSQL (`blobs`, keyed by SHA-256), shared by every node. Pins are rows,
// and a delete re-checks references and pins under the blob's row lock, so an add in flight on
// another node never loses the original it is about to reference.

import { createHash } from 'node:crypto';
import type { BlobStore } from '../blob-store.js';
import type { PgDriver } from './driver.js';
import { translate } from './pg-errors.js';

const SHA256 = /^[0-9a-f]{64}$/;
/** A pin outlives a crashed node by this long at most; adds take seconds. */
const PIN_TTL_MS = 10 * 60_000;

function check(sha256: string): string {
  if (!SHA256.test(sha256)) throw new RangeError(`not a sha256: ${sha256.slice(0, 80)}`);
  return sha256;
}

const toBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export class PgBlobStore implements BlobStore {
  constructor(private readonly driver: PgDriver, private readonly now: () => number = Date.now) {}

  async put(bytes: Buffer, sha256 = createHash('sha256').update(bytes).digest('hex')): Promise<string> {
    try {
      // Waits for a concurrent delete of the same row to finish, then inserts it again.
      await this.driver.query('INSERT INTO blobs (sha256, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [check(sha256), bytes, this.now()]);
    } catch (err) {
      translate(err);
    }
    return sha256;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.driver.query('SELECT 1 FROM blobs WHERE sha256 = $1', [check(sha256)]).catch(translate)).rows.length > 0;
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const rows = (await this.driver.query('SELECT bytes FROM blobs WHERE sha256 = $1', [check(sha256)]).catch(translate)).rows;
    return rows[0] ? toBuffer(rows[0].bytes as Uint8Array) : undefined;
  }

  async pin(sha256: string): Promise<() => Promise<void>> {
    const id = (await this.driver.query('INSERT INTO blob_pins (sha256, until_ms) VALUES ($1, $2) RETURNING id', [check(sha256), this.now() + PIN_TTL_MS]).catch(translate)).rows[0].id;
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      await this.driver.query('DELETE FROM blob_pins WHERE id = $1', [id]).catch(translate);
    };
  }

  async isPinned(sha256: string): Promise<boolean> {
    return (await this.driver.query('SELECT 1 FROM blob_pins WHERE sha256 = $1 AND until_ms > $2 LIMIT 1', [check(sha256), this.now()]).catch(translate)).rows.length > 0;
  }

  async delete(sha256: string): Promise<boolean> {
    check(sha256);
    try {
      return await this.driver.transaction(async (s) => {
        // Lock first, then look: in READ COMMITTED each statement sees what committed before it,
        // so a pin or an image committed while we waited for the lock is seen here.
        if ((await s.query('SELECT 1 FROM blobs WHERE sha256 = $1 FOR UPDATE', [sha256])).rows.length === 0) return false;
        const now = this.now();
        await s.query('DELETE FROM blob_pins WHERE until_ms <= $1', [now]);
        const used = (await s.query(`SELECT EXISTS (SELECT 1 FROM images WHERE sha256 = $1)
          OR EXISTS (SELECT 1 FROM blob_pins WHERE sha256 = $1 AND until_ms > $2) AS used`, [sha256, now])).rows[0].used;
        if (used) return false;
        await s.query('DELETE FROM blobs WHERE sha256 = $1', [sha256]);
        return true;
      });
    } catch (err) {
      return translate(err);
    }
  }

  /** Writes go to the database, whose failures the store translates: nothing to check ahead. */
  async assertWritable(): Promise<void> {}

  /** Originals are written in one statement: a crash leaves no partial files. */
  async removeLeftovers(): Promise<number> {
    return 0;
  }

  async *list(): AsyncIterable<string> {
    let after = '';
    for (;;) {
      const rows = (await this.driver.query('SELECT sha256 FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT 1000', [after]).catch(translate)).rows;
      if (rows.length === 0) return;
      for (const r of rows) yield r.sha256 as string;
      after = rows[rows.length - 1].sha256 as string;
    }
  }
}
