import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPEN_ACCESS, authorize, canSee, principalOf } from './access-keys.js';
import { isTusouError } from './errors.js';

const forbidden = (e: unknown) => isTusouError(e, 'AUTH_FORBIDDEN');

test('an unrestricted key and the open loopback caller may read, write and manage instances', () => {
  for (const p of [OPEN_ACCESS, principalOf({ id: 'K' })]) {
    authorize(p, 'read', 'shop');
    authorize(p, 'write', 'shop');
    authorize(p, 'admin');
  }
});

test('a key limited to instances reaches only those, and cannot manage instances', () => {
  const p = principalOf({ id: 'K', instances: ['a', 'b'] });
  authorize(p, 'read', 'a');
  authorize(p, 'write', 'b');
  assert.throws(() => authorize(p, 'read', 'c'), (e) => forbidden(e) && /only use instances a, b, not "c"/.test((e as Error).message));
  assert.throws(() => authorize(p, 'write', 'c'), forbidden);
  assert.throws(() => authorize(p, 'admin'), forbidden);
  assert.equal(canSee(p, 'a'), true);
  assert.equal(canSee(p, 'c'), false);
});

test('a read-only key may read but never write or manage', () => {
  const p = principalOf({ id: 'R', readOnly: true });
  authorize(p, 'read', 'shop');
  assert.throws(() => authorize(p, 'write', 'shop'), (e) => forbidden(e) && /read-only/.test((e as Error).message));
  assert.throws(() => authorize(p, 'admin'), forbidden);
});
