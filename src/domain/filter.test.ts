import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTusouError } from './errors.js';
import { FILTER_LIMITS, matchesFilter, parseFilter, type FilterNode } from './filter.js';
import { DEFAULT_ATTRIBUTES } from './validate.js';

const attrs = (a: Partial<typeof DEFAULT_ATTRIBUTES>) => ({ ...DEFAULT_ATTRIBUTES, ...a });
const matches = (f: string, a: Partial<typeof DEFAULT_ATTRIBUTES>) => matchesFilter(parseFilter(f), attrs(a));

function rejects(f: string, code: string, pattern?: RegExp) {
  assert.throws(() => parseFilter(f), (e: unknown) => {
    assert.ok(isTusouError(e), `not a TusouError: ${String(e)}`);
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe('filter grammar', () => {
  test('integer comparison operators', () => {
    assert.ok(matches('int_attr > 5', { intAttr: 6 }));
    assert.ok(!matches('int_attr > 5', { intAttr: 5 }));
    assert.ok(matches('int_attr >= 5', { intAttr: 5 }));
    assert.ok(matches('int_attr < 5', { intAttr: -1 }));
    assert.ok(!matches('int_attr<5', { intAttr: 5 }));
    assert.ok(matches('int_attr<=5', { intAttr: 5 }));
    assert.ok(matches('int_attr=5', { intAttr: 5 }));
    assert.ok(matches('int_attr != 5', { intAttr: 4 }));
    assert.ok(matches('int_attr <> 5', { intAttr: 4 }));
    assert.ok(!matches('int_attr != 5', { intAttr: 5 }));
  });

  test('every int and str field is addressable, with the spellings the cloud docs use', () => {
    assert.ok(matches('int_attr2=2 AND int_attr3=3 AND int_attr4=4', { intAttr2: 2, intAttr3: 3, intAttr4: 4 }));
    assert.ok(matches('str_attr2="b" AND str_attr3="c" AND str_attr4="d"', { strAttr2: 'b', strAttr3: 'c', strAttr4: 'd' }));
    assert.ok(matches('intAttr = 1000 AND intAttr2 = 200 AND strAttr = "str2345"', { intAttr: 1000, intAttr2: 200, strAttr: 'str2345' }));
    assert.ok(matches('IntAttr3 = 7', { intAttr3: 7 }));
  });

  test('string equality is exact and case-sensitive', () => {
    assert.ok(matches('str_attr="Red"', { strAttr: 'Red' }));
    assert.ok(!matches('str_attr="red"', { strAttr: 'Red' }));
    assert.ok(matches('str_attr!="value1"', { strAttr: 'value2' }));
    assert.ok(matches("str_attr='single quoted'", { strAttr: 'single quoted' }));
  });

  test('in and not in, for ints and strings', () => {
    assert.ok(matches('int_attr in (1, 2, 3)', { intAttr: 2 }));
    assert.ok(!matches('int_attr in (1,2,3)', { intAttr: 4 }));
    assert.ok(matches('int_attr not in (1,2,3)', { intAttr: 4 }));
    assert.ok(matches('str_attr IN ("a","b")', { strAttr: 'b' }));
    assert.ok(matches('str_attr NOT IN ("a","b")', { strAttr: 'c' }));
  });

  test('the HA3-style in(field, "a|b") and notin(...) spellings', () => {
    assert.ok(matches('in(str_attr, "a|b")', { strAttr: 'a' }));
    assert.ok(matches('notin(int_attr, "1|2")', { intAttr: 3 }));
    assert.ok(!matches('notin(int_attr, "1|2")', { intAttr: 2 }));
  });

  test('AND binds tighter than OR; parentheses override', () => {
    // a OR b AND c  ==  a OR (b AND c)
    assert.ok(matches('int_attr=1 OR int_attr2=1 AND int_attr3=1', { intAttr: 1 }));
    assert.ok(!matches('(int_attr=1 OR int_attr2=1) AND int_attr3=1', { intAttr: 1 }));
    const ast = parseFilter('int_attr=1 or int_attr2=2 and int_attr3=3') as Extract<FilterNode, { kind: 'or' }>;
    assert.equal(ast.kind, 'or');
    assert.equal(ast.items[1].kind, 'and');
  });

  test('keywords are case-insensitive and spaces optional', () => {
    assert.ok(matches('int_attr>=100 and str_attr="x"', { intAttr: 100, strAttr: 'x' }));
    assert.ok(matches('((int_attr>=100))', { intAttr: 100 }));
  });

  test('unset attributes compare as 0 and ""', () => {
    assert.ok(matches('int_attr4 = 0', {}));
    assert.ok(matches('str_attr4 = ""', {}));
  });

  test('syntax errors name the position, the expectation and what was found', () => {
    rejects('int_attr >', 'FILTER_SYNTAX', /character 11: expected an integer for int_attr; got end of filter/);
    rejects('int_attr = "x"', 'FILTER_SYNTAX', /expected an integer/);
    rejects('str_attr = 5', 'FILTER_SYNTAX', /double-quoted string/);
    rejects('color = 5', 'FILTER_SYNTAX', /expected a field/);
    rejects('int_attr = 1 AND', 'FILTER_SYNTAX');
    rejects('int_attr = 1 int_attr2 = 2', 'FILTER_SYNTAX', /AND, OR or the end/);
    rejects('(int_attr = 1', 'FILTER_SYNTAX', /'\)'/);
    rejects('int_attr in (1,', 'FILTER_SYNTAX');
    rejects('str_attr = "unterminated', 'FILTER_SYNTAX', /closing "/);
    rejects('', 'FILTER_SYNTAX');
    rejects('int_attr = 1; DROP TABLE images', 'FILTER_SYNTAX');
  });

  test('type errors and limits are FILTER_INVALID', () => {
    rejects('str_attr > "a"', 'FILTER_INVALID', /string field/);
    rejects('int_attr = 99999999999', 'FILTER_INVALID', /32-bit/);
    rejects(`int_attr=1${' AND int_attr=1'.repeat(400)}`, 'FILTER_INVALID', /characters/);
    rejects(`${'('.repeat(FILTER_LIMITS.maxDepth + 1)}int_attr=1${')'.repeat(FILTER_LIMITS.maxDepth + 1)}`, 'FILTER_INVALID', /nest/);
  });

  test('deep but allowed nesting parses', () => {
    const d = FILTER_LIMITS.maxDepth;
    assert.ok(matches(`${'('.repeat(d)}int_attr=1${')'.repeat(d)}`, { intAttr: 1 }));
  });
});
