// The SQL compiler agrees with the in-memory matcher on random filters and random rows.

import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'node:test';
import { attributes, evaluate, filterAst } from '../../../test/support/filter-arbitraries.js';
import { selectionToSql } from './filter-sql.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

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
