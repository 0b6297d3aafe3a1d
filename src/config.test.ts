import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('configuration of the Alibaba-compatible API', () => {
  test('defaults: 15 minute signature window, URL fetching off, no buckets, generated TLS', () => {
    const c = loadConfig({});
    assert.deepEqual(c.aliyun, { region: 'cn-shanghai', signatureWindowS: 900, nonceCacheMax: 100_000, fetchUrls: false, fetchPrivateUrls: false, uploadHost: undefined, uploadTtlS: 600 });
    assert.deepEqual(c.buckets, {});
    assert.deepEqual(c.tls, { certFile: undefined, keyFile: undefined, hosts: [] });
  });

  test('TUSOU_BUCKETS maps bucket names to absolute folders', () => {
    const c = loadConfig({ TUSOU_BUCKETS: 'shop=/data/shop, archive-2=/mnt/a/' });
    assert.deepEqual(c.buckets, { shop: '/data/shop', 'archive-2': '/mnt/a' });
  });

  test('bad values fail at boot naming the key', () => {
    for (const [key, value] of [
      ['TUSOU_BUCKETS', 'shop=relative/dir'], ['TUSOU_BUCKETS', 'Bad_Name=/x'], ['TUSOU_BUCKETS', '/x'],
      ['TUSOU_FETCH_URLS', 'maybe'], ['TUSOU_SIGNATURE_WINDOW_S', '0'], ['TUSOU_UPLOAD_HOST', 'nodot:80'], ['TUSOU_TLS_HOSTS', 'a b'],
      ['TUSOU_TLS_CERT', '/x.pem'],
    ]) {
      assert.throws(() => loadConfig({ [key]: value }), (e: unknown) => e instanceof ConfigError && e.message.includes(key.replace('TUSOU_TLS_CERT', 'TUSOU_TLS_KEY')), `${key}=${value}`);
    }
  });

  test('switches and hosts are read', () => {
    const c = loadConfig({ TUSOU_FETCH_URLS: 'true', TUSOU_FETCH_PRIVATE_URLS: '1', TUSOU_UPLOAD_HOST: 'img.example.com:8443', TUSOU_TLS_HOSTS: 'img.example.com, 10.0.0.2', TUSOU_REGION: 'cn-hangzhou' });
    assert.deepEqual([c.aliyun.fetchUrls, c.aliyun.fetchPrivateUrls, c.aliyun.uploadHost, c.aliyun.region], [true, true, 'img.example.com:8443', 'cn-hangzhou']);
    assert.deepEqual(c.tls.hosts, ['img.example.com', '10.0.0.2']);
  });
});
