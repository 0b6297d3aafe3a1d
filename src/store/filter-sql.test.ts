// The one SQL compiler agrees with the reference semantics on random filters and random rows, in
// SQLite, in PGlite and (when TUSOU_TEST_PG_URL is set) in a real PostgreSQL server.

import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'node:test';
import { attributes, evaluate, filterAst } from '../../test/support/filter-arbitraries.js';
import { openPglite } from '../../test/support/pglite-driver.js';
import { PG_URL, freshPgSchema } from '../../test/support/stores.js';
import { selectionToSql } from './filter-sql.js';
import { NodePgDriver, parsePgUrl, type PgDriver } from './index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
/** A server round trip per case: fewer cases on PostgreSQL keep the suite fast. */
const PG_RUNS = Math.max(50, Math.floor(RUNS / 5));
/** PGlite runs each statement in WebAssembly (~40 ms a case). */
const PGLITE_RUNS = Math.max(30, Math.floor(RUNS / 12));

test('a random filter selects in SQLite exactly the rows the reference semantics accept', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE images (id INTEGER PRIMARY KEY, instance TEXT, int_attr INT, int_attr2 INT, int_attr3 INT, int_attr4 INT,
    str_attr TEXT, str_attr2 TEXT, str_attr3 TEXT, str_attr4 TEXT)`);
  const insert = db.prepare(`INSERT INTO images (id, instance, int_attr, int_attr2, int_attr3, int_attr4, str_attr, str_attr2, str_attr3, str_attr4)
    VALUES (@id, 'i', @intAttr, @intAttr2, @intAttr3, @intAttr4, @strAttr, @strAttr2, @strAttr3, @strAttr4)`);
  fc.assert(fc.property(filterAst, fc.array(attributes, { minLength: 1, maxLength: 12 }), (ast, rows) => {
    db.exec('DELETE FROM images');
    rows.forEach((r, id) => insert.run({ id, ...r }));
    const w = selectionToSql('i', { filter: ast });
    const got = db.prepare(`SELECT id FROM images WHERE ${w.sql} ORDER BY id`).pluck().all(...w.params);
    const want = rows.map((r, id) => (evaluate(ast, r) ? id : -1)).filter((id) => id >= 0);
    assert.deepEqual(got, want);
  }), { numRuns: RUNS });
  db.close();
});

/** The same property on a PostgreSQL driver, with the column types of the PostgreSQL store. */
async function postgresProperty(driver: PgDriver, runs: number): Promise<void> {
  await driver.query(`CREATE TABLE filter_rows (id bigint PRIMARY KEY, instance text, int_attr bigint, int_attr2 bigint, int_attr3 bigint, int_attr4 bigint,
    str_attr text, str_attr2 text, str_attr3 text, str_attr4 text)`);
  await fc.assert(fc.asyncProperty(filterAst, fc.array(attributes, { minLength: 1, maxLength: 12 }), async (ast, rows) => {
    const values = rows.flatMap((r, id) => [id, 'i', r.intAttr, r.intAttr2, r.intAttr3, r.intAttr4, r.strAttr, r.strAttr2, r.strAttr3, r.strAttr4]);
    const tuples = rows.map((_, n) => `(${Array.from({ length: 10 }, (__, c) => `$${n * 10 + c + 1}`).join(', ')})`);
    await driver.transaction(async (s) => {
      await s.query('DELETE FROM filter_rows');
      await s.query(`INSERT INTO filter_rows VALUES ${tuples.join(', ')}`, values);
    });
    const w = selectionToSql('i', { filter: ast }, 'postgres');
    const got = (await driver.query(`SELECT id FROM filter_rows WHERE ${w.sql} ORDER BY id`, w.params)).rows.map((r) => Number(r.id));
    const want = rows.map((r, id) => (evaluate(ast, r) ? id : -1)).filter((id) => id >= 0);
    assert.deepEqual(got, want);
  }), { numRuns: runs });
}

test('a random filter selects in PGlite exactly the rows the reference semantics accept', async () => {
  const driver = await openPglite();
  try {
    await postgresProperty(driver, PGLITE_RUNS);
  } finally {
    await driver.close();
  }
});

test('a random filter selects in PostgreSQL exactly the rows the reference semantics accept', { skip: PG_URL ? false : 'needs TUSOU_TEST_PG_URL' }, async () => {
  const s = await freshPgSchema();
  const driver = new NodePgDriver(parsePgUrl(s.url), { max: 1 });
  try {
    await driver.query(`CREATE SCHEMA ${s.schema}`);
    await postgresProperty(driver, PG_RUNS);
  } finally {
    await driver.close();
    await s.drop();
  }
});
