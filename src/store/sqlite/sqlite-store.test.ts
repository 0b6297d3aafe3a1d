// SQLite-only behaviour; everything the Store contract promises is in ../store.test.ts.

import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/support/server.js';
import { MIGRATIONS } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

test('a database written before key scopes opens and its keys stay unrestricted', async () => {
  const dir = await tempDir();
  const file = join(dir, 'old.db');
  const old = new Database(file);
  for (const [v, sql] of MIGRATIONS.slice(0, 2).entries()) {
    old.exec(sql);
    old.pragma(`user_version = ${v + 1}`);
  }
  old.prepare("INSERT INTO access_keys (id, secret, description, created_at) VALUES ('old', 's', 'd', 3)").run();
  old.close();
  const reopened = new SqliteStore(file);
  try {
    assert.deepEqual(await reopened.getAccessKey('old'), { id: 'old', secret: 's', description: 'd', createdAt: 3 });
  } finally {
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
