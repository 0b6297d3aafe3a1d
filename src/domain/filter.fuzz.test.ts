// Property-based tests of the filter parser (fast-check). bench/fuzz.ts runs the same
// properties with ≥ 100,000 cases.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'node:test';
import { attributes, evaluate, filterAst, filterLikeText, printFilter } from '../../test/support/filter-arbitraries.js';
import { isTusouError } from './errors.js';
import { matchesFilter, parseFilter } from './filter.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

test('any text either parses or fails with FILTER_SYNTAX / FILTER_INVALID, never another error', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), filterLikeText), (text) => {
    try {
      parseFilter(text);
    } catch (e) {
      if (!isTusouError(e, 'FILTER_SYNTAX', 'FILTER_INVALID')) throw e;
    }
  }), { numRuns: RUNS });
});

test('printing a random filter and parsing it back keeps its meaning', () => {
  fc.assert(fc.property(filterAst, fc.array(attributes, { minLength: 1, maxLength: 8 }), (ast, rows) => {
    const parsed = parseFilter(printFilter(ast));
    for (const a of rows) assert.equal(matchesFilter(parsed, a), evaluate(ast, a));
  }), { numRuns: RUNS });
});

test('very long and deeply nested inputs fail fast with a clear code', () => {
  assert.throws(() => parseFilter('int_attr=1 AND '.repeat(1000)), (e) => isTusouError(e, 'FILTER_INVALID'));
  assert.throws(() => parseFilter(`${'('.repeat(2000)}int_attr=1${')'.repeat(2000)}`), (e) => isTusouError(e, 'FILTER_INVALID'));
});
