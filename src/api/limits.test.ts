// Request limits: token buckets per key and per instance (429 / DeniedRequest with Retry-After),
// the bound on requests in flight and the time budget, over real HTTP.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isTusouError } from '../domain/index.js';
import { scene } from '../../test/support/images.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { QpsLimits, RateLimiter, withTimeout } from './limits.js';

const Client = sdk.default;
const AK = 'TSLIMITSBOOT';
const SECRET = 'limits-test-bootstrap-secret-01';
const BOOT = { authorization: `Bearer ${AK}:${SECRET}` };

describe('token buckets', () => {
  test('a bucket allows a burst of qps requests, then one more per 1/qps s; Retry-After counts whole seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const take = () => limiter.takeAll([{ name: 'k', qps: 2 }]);
    assert.equal(take(), undefined);
    assert.equal(take(), undefined);
    assert.equal(take(), 'k');
    assert.equal(limiter.waitS('k', 2), 1);
    now += 499;
    assert.equal(take(), 'k');
    now += 1;
    assert.equal(take(), undefined);
    now += 10_000;
    assert.equal(take(), undefined);
    assert.equal(take(), undefined);
    assert.equal(take(), 'k', 'an idle bucket refills only up to one second of burst');
  });

  test('a request takes from every bucket or from none', () => {
    const limiter = new RateLimiter(() => 0);
    assert.equal(limiter.takeAll([{ name: 'key', qps: 5 }, { name: 'instance', qps: 1 }]), undefined);
    assert.equal(limiter.takeAll([{ name: 'key', qps: 5 }, { name: 'instance', qps: 1 }]), 'instance');
    // The refused request did not spend a token of the key.
    for (let i = 0; i < 4; i++) assert.equal(limiter.takeAll([{ name: 'key', qps: 5 }]), undefined);
    assert.equal(limiter.takeAll([{ name: 'key', qps: 5 }]), 'key');
  });

  test('memory is bounded: past maxBuckets the least recently used bucket is forgotten', () => {
    const limiter = new RateLimiter(() => 0, 3);
    for (const n of ['a', 'b', 'c', 'd']) limiter.takeAll([{ name: n, qps: 1 }]);
    assert.equal(limiter.takeAll([{ name: 'a', qps: 1 }]), undefined, 'a was forgotten, so it is full again');
    assert.equal(limiter.takeAll([{ name: 'd', qps: 1 }]), 'd');
  });

  test('QpsLimits: per-key default, a key\'s own QPS, per-instance overrides; the open caller has no key bucket', () => {
    const limits = new QpsLimits({ perKey: 1, perInstance: 0, instances: { shop: 2 } }, () => 0);
    limits.admit({ keyId: 'A', readOnly: false }, undefined);
    assert.throws(() => limits.admit({ keyId: 'A', readOnly: false }, undefined), (e) => isTusouError(e, 'QUOTA_QPS_EXCEEDED') && /access key A/.test(e.message));
    limits.admit({ keyId: 'B', readOnly: false, qps: 3 }, 'other');
    limits.admit({ keyId: 'B', readOnly: false, qps: 3 }, 'other');
    limits.admit({ readOnly: false }, 'shop');
    limits.admit({ readOnly: false }, 'shop');
    assert.throws(() => limits.admit({ readOnly: false }, 'shop'), (e) => isTusouError(e, 'QUOTA_QPS_EXCEEDED') && (e.details as { scope: string }).scope === 'instance shop');
    assert.equal(limits.instanceQps('shop'), 2);
    assert.equal(limits.instanceQps('other'), 0);
  });

  test('withTimeout fails with REQUEST_TIMEOUT and leaves no unhandled rejection behind', async () => {
    const slow = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late failure')), 30));
    await assert.rejects(withTimeout(slow, 5), (e) => isTusouError(e, 'REQUEST_TIMEOUT'));
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(await withTimeout(Promise.resolve(7), 5), 7);
  });
});

describe('QPS limits over both APIs', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_QPS_PER_KEY: '3', TUSOU_INSTANCE_QPS: 'slow=1' });
    for (const name of ['fast', 'slow']) await s.api('/api/v1/instances', { method: 'POST', json: { name }, headers: BOOT });
    // The key buckets are full again a second later.
    await new Promise((r) => setTimeout(r, 1100));
  });
  after(() => s.close());

  test('REST: past the key\'s QPS the answer is 429 QUOTA_QPS_EXCEEDED with Retry-After; health is never limited', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await s.api('/api/v1/instances/fast', { headers: BOOT });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(limited, `statuses ${statuses}`);
    assert.equal(Number(limited.headers.get('retry-after')), 1);
    const body = (await limited.json()) as { error: { code: string; details: { scope: string; qps: number } } };
    assert.equal(body.error.code, 'QUOTA_QPS_EXCEEDED');
    assert.deepEqual([body.error.details.scope, body.error.details.qps], [`access key ${AK}`, 3]);
    for (let i = 0; i < 5; i++) assert.equal((await s.api('/api/v1/health')).status, 200);
  });

  test('Alibaba API: an instance at 1 QPS answers DeniedRequest (403) and Detail reports its Qps', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const client = new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(s.url).host, protocol: 'http' }));
    const first = await client.detail(new M.DetailRequest({ instanceName: 'slow' }));
    assert.equal(first.body?.instance?.qps, 1);
    let err: { code?: string; statusCode?: number; message?: string } | undefined;
    try {
      await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'slow', picContent: (await scene(1)).toString('base64') }));
    } catch (e) {
      err = e as typeof err;
    }
    assert.equal(err?.code, 'DeniedRequest');
    assert.equal(err?.statusCode, 403);
    assert.match(err?.message ?? '', /QPS limit of 1 for instance slow/);
  });
});

/** Open a request whose body never finishes arriving: it stays in flight until the socket closes. */
async function hangingUpload(url: string, path: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"productId":`);
  return socket;
}

describe('requests in flight and the time budget', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ TUSOU_MAX_IN_FLIGHT: '1', TUSOU_REQUEST_TIMEOUT_MS: '400' });
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'q' } });
  });
  after(() => s.close());

  test('past TUSOU_MAX_IN_FLIGHT the answer is 503 SERVER_BUSY with Retry-After; probes still answer', async () => {
    const socket = await hangingUpload(s.url, '/api/v1/instances/q/images');
    try {
      await new Promise((r) => setTimeout(r, 100));
      const busy = await s.api('/api/v1/instances/q');
      assert.equal(busy.status, 503);
      assert.equal(busy.headers.get('retry-after'), '1');
      assert.equal(((await busy.json()) as { error: { code: string } }).error.code, 'SERVER_BUSY');
      assert.equal((await s.api('/api/v1/ready')).status, 200);
    } finally {
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await s.api('/api/v1/instances/q')).status, 200, 'the slot is free again once the slow client is gone');
  });

  test('a request that takes longer than TUSOU_REQUEST_TIMEOUT_MS is answered 503 REQUEST_TIMEOUT', async () => {
    const socket = await hangingUpload(s.url, '/api/v1/instances/q/images');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('\r\n\r\n') && text.includes('}}')) resolve(text);
      });
    });
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 503/);
    assert.match(answer, /"code":"REQUEST_TIMEOUT"/);
    assert.match(answer, /within 400 ms; a write may still complete/);
  });
});
