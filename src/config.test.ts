import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

test('vision settings: workers default to the cores, the detector is centernet unless set, bad values name the key', () => {
  const c = loadConfig({});
  assert.ok(c.vision.workers >= 1);
  assert.equal(c.vision.detector, 'centernet');
  assert.equal(c.vision.batchMax, 4);
  const s = loadConfig({ TUSOU_VISION_WORKERS: '3', TUSOU_DETECTOR: 'saliency', TUSOU_VISION_BATCH: '8' });
  assert.deepEqual(s.vision, { workers: 3, detector: 'saliency', batchMax: 8, queueMax: 24, queueWaitMs: 5_000, warmup: true });
  assert.throws(() => loadConfig({ TUSOU_DETECTOR: 'yolo' }), /TUSOU_DETECTOR must be centernet or saliency; got "yolo"/);
  assert.throws(() => loadConfig({ TUSOU_VISION_WORKERS: '0' }), /TUSOU_VISION_WORKERS must be an integer in 1\.\.256/);
});

test('security settings: CORS closed, no QPS limits, bounded in-flight requests and time; bad values name the key', () => {
  const c = loadConfig({});
  assert.deepEqual(c.security, {
    corsOrigins: [], qps: { perKey: 0, perInstance: 0, instances: {} }, maxInFlight: 64, requestTimeoutMs: 30_000, shutdownGraceMs: 30_000,
  });
  const s = loadConfig({
    TUSOU_CORS_ORIGINS: 'https://shop.example, http://localhost:5173', TUSOU_QPS_PER_KEY: '5', TUSOU_QPS_PER_INSTANCE: '10',
    TUSOU_INSTANCE_QPS: 'shop=1,big_one=0', TUSOU_MAX_IN_FLIGHT: '8', TUSOU_REQUEST_TIMEOUT_MS: '0', TUSOU_VISION_QUEUE_MAX: '4',
  });
  assert.deepEqual(s.security.corsOrigins, ['https://shop.example', 'http://localhost:5173']);
  assert.deepEqual(s.security.qps, { perKey: 5, perInstance: 10, instances: { shop: 1, big_one: 0 } });
  assert.equal(s.security.maxInFlight, 8);
  assert.equal(s.security.requestTimeoutMs, 0);
  assert.equal(s.vision.queueMax, 4);
  assert.throws(() => loadConfig({ TUSOU_CORS_ORIGINS: '*' }), /TUSOU_CORS_ORIGINS must be comma-separated origins/);
  assert.throws(() => loadConfig({ TUSOU_CORS_ORIGINS: 'https://shop.example/path' }), /TUSOU_CORS_ORIGINS/);
  assert.throws(() => loadConfig({ TUSOU_INSTANCE_QPS: 'shop=fast' }), /TUSOU_INSTANCE_QPS must be a comma-separated list of instance=QPS/);
  assert.throws(() => loadConfig({ TUSOU_MAX_IN_FLIGHT: '0' }), /TUSOU_MAX_IN_FLIGHT must be an integer in 1\.\.100000/);
});

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

test('store: SQLite by default, PostgreSQL from a postgres:// URL; a bad URL is refused without echoing its password', () => {
  assert.deepEqual(loadConfig({}).store, { kind: 'sqlite' });
  const c = loadConfig({ TUSOU_STORE: 'postgres://u:p@db:5432/tusou?schema=shop', TUSOU_STORE_POOL: '3' });
  assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://u:p@db:5432/tusou?schema=shop', poolMax: 3 });
  assert.equal(c.ingest.workers, 1, 'PostgreSQL nodes run one ingestion worker by default');
  assert.equal(loadConfig({}).ingest.workers, 0);
  assert.throws(() => loadConfig({ TUSOU_STORE: 'mysql://u:secret@db/x' }), (e) => e instanceof ConfigError && /TUSOU_STORE/.test(e.message) && !e.message.includes('secret'));
  assert.throws(() => loadConfig({ TUSOU_STORE: 'postgres://db/x?schema=Bad-Name' }), /TUSOU_STORE/);
  assert.throws(() => loadConfig({ TUSOU_NODE_ID: 'a b' }), /TUSOU_NODE_ID/);
  assert.throws(() => loadConfig({ TUSOU_FOLLOW_POLL_MS: '1' }), /TUSOU_FOLLOW_POLL_MS/);
});

test('default rerankers: generic verifies with orb-ransac-top8@1, product none; TUSOU_DEFAULT_RERANKER sets both, none switches off', () => {
  assert.deepEqual(loadConfig({}).defaults.rerankers, { generic: 'orb-ransac-top8@1' });
  assert.deepEqual(loadConfig({ TUSOU_DEFAULT_RERANKER: 'none' }).defaults.rerankers, {});
  assert.deepEqual(loadConfig({ TUSOU_DEFAULT_RERANKER: 'orb-ransac@1', TUSOU_DEFAULT_RERANKER_GENERIC: 'none' }).defaults.rerankers, { product: 'orb-ransac@1' });
  assert.deepEqual(loadConfig({ TUSOU_DEFAULT_RERANKER: '' }).defaults.rerankers, { generic: 'orb-ransac-top8@1' });
});

test('default descriptors: the benchmark\'s choice per service type; TUSOU_DEFAULT_DESCRIPTOR sets both, the per-type keys win', () => {
  assert.deepEqual(loadConfig({}).defaults.descriptors, { product: 'mnv2mid-gap1792@1', generic: 'mnv2mid-colour2304@1' });
  assert.deepEqual(loadConfig({ TUSOU_DEFAULT_DESCRIPTOR: 'phash-64@1' }).defaults.descriptors, { product: 'phash-64@1', generic: 'phash-64@1' });
  assert.deepEqual(loadConfig({ TUSOU_DEFAULT_DESCRIPTOR: 'phash-64@1', TUSOU_DEFAULT_DESCRIPTOR_PRODUCT: 'centernet-gem480@1' }).defaults.descriptors,
    { product: 'centernet-gem480@1', generic: 'phash-64@1' });
});
