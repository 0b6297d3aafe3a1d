import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorsMarkdown } from '../../scripts/errors-doc.js';
import { ERRORS, TusouError } from './errors.js';

test('docs/errors.md is generated from the current catalogue (run scripts/errors-doc.ts)', () => {
  assert.equal(readFileSync('docs/errors.md', 'utf8'), errorsMarkdown());
});

test('every code has an HTTP status, an Alibaba code and a message without stacks or paths', () => {
  for (const [code, e] of Object.entries(ERRORS)) {
    assert.match(code, /^[A-Z]+(_[A-Z0-9]+)*$/);
    assert.ok(e.status >= 400 && e.status < 600, code);
    const err = new TusouError(code as keyof typeof ERRORS, new Proxy({}, { get: () => 'x' }) as never);
    assert.ok(err.aliyun.code.length > 0, code);
    assert.doesNotMatch(err.message, /\/work|node_modules|at .*\(/);
  }
});
