import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults: loopback 8080, ./data, no key', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.match(c.dataDir, /\/data$/);
  assert.equal(c.accessKey, undefined);
});

test('a non-loopback address without an access key is refused at boot', () => {
  assert.throws(() => loadConfig({ TUSOU_HOST: '0.0.0.0' }), (e) => e instanceof ConfigError && /TUSOU_HOST must be a loopback address unless/.test(e.message));
  const c = loadConfig({ TUSOU_HOST: '0.0.0.0', TUSOU_ACCESS_KEY_ID: 'id', TUSOU_ACCESS_KEY_SECRET: 'secret' });
  assert.deepEqual(c.accessKey, { id: 'id', secret: 'secret' });
});

test('bad values name the key, the expectation and the value', () => {
  assert.throws(() => loadConfig({ TUSOU_PORT: 'http' }), /TUSOU_PORT must be an integer in 0\.\.65535; got "http"/);
  assert.throws(() => loadConfig({ TUSOU_ACCESS_KEY_ID: 'only-id' }), /TUSOU_ACCESS_KEY_SECRET must be set together/);
  assert.throws(() => loadConfig({ TUSOU_MIN_PX: '500', TUSOU_MAX_PX: '100' }), /TUSOU_MIN_PX/);
  assert.throws(() => loadConfig({ TUSOU_LOG_LEVEL: 'loud' }), /TUSOU_LOG_LEVEL/);
  assert.throws(() => loadConfig({ TUSOU_CONFIG: '/nonexistent.json' }), /TUSOU_CONFIG/);
});

test('overrides (CLI flags) win over the environment', () => {
  assert.equal(loadConfig({ TUSOU_PORT: '1' }, { TUSOU_PORT: '2' }).port, 2);
});
