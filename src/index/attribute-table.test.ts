import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, test } from 'node:test';
import { attributes, evaluate, filterAst } from '../../test/support/filter-arbitraries.js';
import { parseFilter } from '../domain/index.js';
import { AttributeTable } from './attribute-table.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const LABEL0 = 5000;

describe('AttributeTable', () => {
  test('a random filter selects exactly the labels the reference semantics accept', () => {
    fc.assert(fc.property(filterAst, fc.array(attributes, { minLength: 1, maxLength: 20 }), fc.option(fc.integer({ min: 0, max: 3 })), (ast, rows, category) => {
      const t = new AttributeTable(4);
      rows.forEach((r, i) => t.set(LABEL0 + i, { ...r, categoryId: i % 4 }));
      const got = [...t.select(ast, category ?? undefined)].sort((a, b) => a - b);
      const want = rows.flatMap((r, i) => (evaluate(ast, r) && (category === null || i % 4 === category) ? [LABEL0 + i] : []));
      assert.deepEqual(got, want);
    }), { numRuns: RUNS });
  });

  test('updates and removals are reflected; the last row moves into a hole', () => {
    const t = new AttributeTable(2);
    const a = (intAttr: number, strAttr = '') => ({ categoryId: 0, intAttr, intAttr2: 0, intAttr3: 0, intAttr4: 0, strAttr, strAttr2: '', strAttr3: '', strAttr4: '' });
    for (let i = 0; i < 10; i++) t.set(100 + i, a(i, i % 2 ? 'odd' : 'even'));
    assert.equal(t.size, 10);
    t.set(103, a(50, 'even'));
    assert.ok(t.remove(100));
    assert.ok(!t.remove(100));
    assert.deepEqual([...t.select(parseFilter('int_attr >= 5'))].sort(), [103, 105, 106, 107, 108, 109]);
    assert.deepEqual([...t.select(parseFilter('str_attr = "odd"'))].sort(), [101, 105, 107, 109]);
    assert.deepEqual([...t.select(parseFilter('str_attr = "never seen"'))], []);
    assert.equal(t.select(parseFilter('str_attr != "never seen"')).length, 9);
    assert.equal(t.select().length, 9);
  });

  test('large IN lists and every operator compile', () => {
    const t = new AttributeTable();
    for (let i = 0; i < 100; i++) t.set(i + 1, { categoryId: i % 3, intAttr: i, intAttr2: 0, intAttr3: 0, intAttr4: 0, strAttr: `s${i}`, strAttr2: '', strAttr3: '', strAttr4: '' });
    const many = Array.from({ length: 20 }, (_, i) => i * 3).join(',');
    assert.equal(t.select(parseFilter(`int_attr in (${many})`)).length, 20);
    assert.equal(t.select(parseFilter(`int_attr not in (${many})`)).length, 80);
    assert.equal(t.select(parseFilter('str_attr in ("s1","s2","s3","s4","s5","s6","s7","s8","s9","s10")')).length, 10);
    assert.equal(t.select(undefined, 1).length, 33);
  });
});
