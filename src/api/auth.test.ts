// Access control over real HTTP: who may call the REST API, the console's session probe and the
// metrics, what a scoped key may do on both APIs, and which browser origins may call at all.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const Client = sdk.default;
const AK = 'TSAUTHBOOTSTRAP';
const SECRET = 'auth-test-bootstrap-secret-0123';
const BOOT = { authorization: `Bearer ${AK}:${SECRET}` };
const bearer = (k: { id: string; secret: string }) => ({ authorization: `Bearer ${k.id}:${k.secret}` });

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

function sdkClient(s: TestServer, id: string, secret: string) {
  return new Client(new $OpenApiUtil.Config({ accessKeyId: id, accessKeySecret: secret, endpoint: new URL(s.url).host, protocol: 'http' }));
}

async function sdkFails(p: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; statusCode: number; message: string };
  }
  throw new assert.AssertionError({ message: 'the SDK call succeeded' });
}

describe('a server with keys', () => {
  let s: TestServer;
  let reader: { id: string; secret: string };
  let shopWriter: { id: string; secret: string };
  let revoked: { id: string; secret: string };
  const picture = async (seed: number) => (await scene(seed)).toString('base64');

  before(async () => {
    s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET });
    for (const name of ['shop', 'other']) assert.equal((await s.api('/api/v1/instances', { method: 'POST', json: { name }, headers: BOOT })).status, 201);
    for (const name of ['shop', 'other']) {
      const res = await s.api(`/api/v1/instances/${name}/images`, { method: 'POST', json: { productId: 'p1', picName: 'health', picture: await picture(1) }, headers: BOOT });
      assert.equal(res.status, 201);
    }
    reader = await s.app.engine.createAccessKey({ description: 'storefront', readOnly: true });
    shopWriter = await s.app.engine.createAccessKey({ description: 'shop sync', instances: ['shop'] });
    revoked = await s.app.engine.createAccessKey({ description: 'old' });
    await s.app.engine.revokeAccessKey(revoked.id);
  });
  after(() => s.close());

  test('the REST API wants a key: none is 401 AUTH_REQUIRED; a wrong secret or unknown id 401 AUTH_KEY_INVALID; a revoked key 401 AUTH_KEY_REVOKED', async () => {
    const none = await s.api('/api/v1/instances');
    assert.equal(none.status, 401);
    assert.equal(await code(none), 'AUTH_REQUIRED');
    for (const authorization of [`Bearer ${AK}:wrong`, `Bearer ${reader.id}:${reader.secret.slice(1)}x`, 'Bearer TSNOSUCH:secret', 'Basic abc', `Bearer ${AK}`]) {
      const res = await s.api('/api/v1/instances', { headers: { authorization } });
      assert.equal(res.status, 401, authorization);
      assert.equal(await code(res), 'AUTH_KEY_INVALID');
    }
    const old = await s.api('/api/v1/instances', { headers: bearer(revoked) });
    assert.equal(old.status, 401);
    assert.equal(await code(old), 'AUTH_KEY_REVOKED');
    assert.equal((await s.api('/api/v1/instances', { headers: bearer(reader) })).status, 200);
    assert.equal((await s.api('/api/v1/instances', { headers: BOOT })).status, 200);
  });

  test('only /health and /ready answer without a key; an image named "health" does not', async () => {
    assert.equal((await s.api('/api/v1/health')).status, 200);
    const ready = await s.api('/api/v1/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { indexes: true, vision: true } });
    // The old check matched any path ending in /health.
    assert.equal((await s.api('/api/v1/instances/shop/images/p1/health')).status, 401);
    assert.equal((await s.api('/api/v1/openapi.json')).status, 401);
    assert.equal((await s.api('/api/v1/instances/shop/images/p1/health', { headers: BOOT })).status, 200);
  });

  test('/session tells the console which key it is and what the key may do', async () => {
    assert.equal((await s.api('/api/v1/session')).status, 401);
    assert.deepEqual(await (await s.api('/api/v1/session', { headers: bearer(shopWriter) })).json(), { open: false, keyId: shopWriter.id, instances: ['shop'], readOnly: false });
    assert.deepEqual(await (await s.api('/api/v1/session', { headers: bearer(reader) })).json(), { open: false, keyId: reader.id, readOnly: true });
  });

  test('a read-only key searches and reads but every write is 403 AUTH_FORBIDDEN', async () => {
    const h = bearer(reader);
    assert.equal((await s.api('/api/v1/instances/shop/search', { method: 'POST', json: { picture: await picture(1) }, headers: h })).status, 200);
    assert.equal((await s.api('/api/v1/instances/shop/images/p1/health', { headers: h })).status, 200);
    const writes: [string, string, unknown?][] = [
      ['POST', '/api/v1/instances/shop/images', { productId: 'x', picName: 'x', picture: await picture(2) }],
      ['PATCH', '/api/v1/instances/shop/images/p1/health', { intAttr: 3 }],
      ['DELETE', '/api/v1/instances/shop/images/p1/health'],
      ['DELETE', '/api/v1/instances/shop'],
      ['POST', '/api/v1/instances', { name: 'mine' }],
    ];
    for (const [method, path, json] of writes) {
      const res = await s.api(path, { method, json, headers: h });
      assert.equal(res.status, 403, `${method} ${path}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'AUTH_FORBIDDEN');
      assert.match(body.error.message, /read-only/);
    }
    assert.equal((await s.app.engine.getInstance('shop')).imageCount, 1, 'nothing was written');
  });

  test('a key limited to an instance sees and changes only that one, and cannot manage instances', async () => {
    const h = bearer(shopWriter);
    const list = (await (await s.api('/api/v1/instances', { headers: h })).json()) as { instances: { name: string }[] };
    assert.deepEqual(list.instances.map((i) => i.name), ['shop']);
    assert.equal((await s.api('/api/v1/instances/shop/images', { method: 'POST', json: { productId: 'p2', picName: 'a.jpg', picture: await picture(2) }, headers: h })).status, 201);
    for (const [method, path] of [['GET', '/api/v1/instances/other'], ['POST', '/api/v1/instances/other/search'], ['GET', '/api/v1/instances/other/export'], ['DELETE', '/api/v1/instances/shop'], ['POST', '/api/v1/instances/shop/reindex']]) {
      const res = await s.api(path, { method, json: method === 'POST' ? { picture: await picture(1) } : undefined, headers: h });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(await code(res), 'AUTH_FORBIDDEN');
    }
    // Metrics cover every instance, so a limited key cannot read them.
    assert.equal((await s.api('/metrics', { headers: h })).status, 403);
  });

  test('the Alibaba API enforces the same scopes with NoPermission (403)', async () => {
    const r = sdkClient(s, reader.id, reader.secret);
    const found = await r.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'shop', picContent: await picture(1) }));
    assert.equal(found.body?.success, true);
    const denied = await sdkFails(r.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'x', picName: 'x', picContent: await picture(3) })));
    assert.deepEqual([denied.code, denied.statusCode], ['NoPermission', 403]);
    assert.match(denied.message, /read-only/);
    const w = sdkClient(s, shopWriter.id, shopWriter.secret);
    assert.equal((await w.detail(new M.DetailRequest({ instanceName: 'shop' }))).body?.instance?.name, 'shop');
    const other = await sdkFails(w.detail(new M.DetailRequest({ instanceName: 'other' })));
    assert.deepEqual([other.code, other.statusCode], ['NoPermission', 403]);
    const del = await sdkFails(w.deleteImage(new M.DeleteImageRequest({ instanceName: 'other', productId: 'p1' })));
    assert.equal(del.code, 'NoPermission');
    assert.equal((await s.app.engine.getInstance('other')).imageCount, 1);
  });

  test('metrics need a key without instance limits; they count errors by code and show the queue and index sizes', async () => {
    assert.equal((await s.api('/metrics')).status, 401);
    const res = await s.api('/metrics', { headers: bearer(reader) });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /tusou_errors_total\{code="AUTH_FORBIDDEN",api="rest"\} [1-9]/);
    assert.match(text, /tusou_errors_total\{code="AUTH_REQUIRED",api="rest"\} [1-9]/);
    assert.match(text, /tusou_index_vectors\{instance="shop"\} [1-9]/);
    assert.match(text, /^tusou_vision_queue_depth 0$/m);
    assert.match(text, /^tusou_http_requests_in_flight \d+$/m);
  });

  test('browsers: pages of other origins are refused (no CORS headers), same-origin pages are served', async () => {
    const evil = await s.api('/api/v1/instances', { headers: { ...BOOT, origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(await code(evil), 'AUTH_FORBIDDEN');
    const preflight = await s.api('/api/v1/instances', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const same = await s.api('/api/v1/instances', { headers: { ...BOOT, origin: s.url } });
    assert.equal(same.status, 200);
  });
});

describe('a loopback server without keys', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.close());

  test('serves local programs without a key, but not requests addressed to another name (DNS rebinding)', async () => {
    assert.equal((await s.api('/api/v1/instances')).status, 200);
    assert.deepEqual(await (await s.api('/api/v1/session')).json(), { open: true, readOnly: false });
    const rebound = await getWithHost(`${s.url}/api/v1/instances`, `attacker.example:${new URL(s.url).port}`);
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /AUTH_FORBIDDEN.*loopback/);
    assert.equal((await getWithHost(`${s.url}/api/v1/instances`, `localhost:${new URL(s.url).port}`)).status, 200);
    const cross = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'csrf' }, headers: { origin: 'https://attacker.example' } });
    assert.equal(cross.status, 403);
    assert.equal((await s.app.engine.listInstances()).length, 0);
  });

  test('creating the first key closes it: from then on requests need a key', async () => {
    const k = await s.app.engine.createAccessKey({ description: 'first' });
    assert.equal((await s.api('/api/v1/instances')).status, 401);
    assert.equal((await s.api('/api/v1/instances', { headers: bearer(k) })).status, 200);
    await s.app.engine.revokeAccessKey(k.id);
    assert.equal((await s.api('/api/v1/instances')).status, 401, 'revoking every key does not reopen the server');
  });
});

describe('a CORS allow-list', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_CORS_ORIGINS: 'https://shop.example' });
  });
  after(() => s.close());

  test('lets the listed origin call (preflight included) and no other', async () => {
    const preflight = await s.api('/api/v1/instances', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const get = await s.api('/api/v1/instances', { headers: { ...BOOT, origin: 'https://shop.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://shop.example');
    const other = await s.api('/api/v1/instances', { headers: { ...BOOT, origin: 'https://shop.example.evil.example' } });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
