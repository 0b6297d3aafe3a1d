import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTusouError } from '../../domain/index.js';
import { MAX_PARAMS, parseRpcParams, parseUrlEncoded } from './params.js';

test('decodes as browsers and the SDK encode: + is a space, %XX a byte, a lone % stays', () => {
  assert.deepEqual(parseUrlEncoded('a=1+2&b=%E4%B8%AD%2B&c&=d&e=100%&&f=x=y', 'query'), [['a', '1 2'], ['b', '中+'], ['c', ''], ['', 'd'], ['e', '100%'], ['f', 'x=y']]);
});

test('text that is not UTF-8 is refused with PARAM_INVALID naming the parameter', () => {
  assert.throws(() => parseUrlEncoded('InstanceName=shop&ProductId=%FF%FE', 'body'), (e) => isTusouError(e, 'PARAM_INVALID') && /"ProductId" must be UTF-8 text/.test(e.message));
  assert.throws(() => parseUrlEncoded(Buffer.from([0x61, 0x3d, 0xc3]), 'body'), (e) => isTusouError(e, 'PARAM_INVALID'));
  assert.throws(() => parseUrlEncoded('%C0%AF=x', 'query'), (e) => isTusouError(e, 'PARAM_INVALID') && /parameter name in the query/.test(e.message));
});

test('more than MAX_PARAMS parameters are refused', () => {
  assert.equal(parseUrlEncoded('a=1&'.repeat(MAX_PARAMS), 'body').length, MAX_PARAMS);
  assert.throws(() => parseUrlEncoded('a=1&'.repeat(MAX_PARAMS + 1), 'body'), (e) => isTusouError(e, 'PARAM_INVALID') && /at most 1000 parameters/.test(e.message));
});

test('the body wins over the query; __proto__ is an ordinary parameter', () => {
  const r = parseRpcParams('?Num=5&InstanceName=q&__proto__=x', 'application/x-www-form-urlencoded', Buffer.from('Num=7&constructor=y'));
  assert.equal(r.params.Num, '7');
  assert.equal(r.params.InstanceName, 'q');
  assert.equal(r.params.__proto__, 'x');
  assert.equal(r.params.constructor, 'y');
  assert.equal(Object.getPrototypeOf(r.params), null);
});

test('a body of another content type is refused with BODY_INVALID; none at all is fine', () => {
  assert.throws(() => parseRpcParams('', 'application/json', Buffer.from('{"InstanceName":"x"}')), (e) => isTusouError(e, 'BODY_INVALID') && /application\/x-www-form-urlencoded/.test(e.message));
  assert.deepEqual(parseRpcParams('?A=1', undefined, Buffer.alloc(0)).params, Object.assign(Object.create(null), { A: '1' }));
});
