import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nearCopy, scene } from '../../../test/support/images.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

describe('REST API over real HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'shop', serviceType: 'generic' } });
    assert.equal(res.status, 201);
  });
  after(() => s.close());

  test('health answers ok', async () => {
    const res = await s.api('/api/v1/health');
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, 'ok');
  });

  test('adding, then searching with a near copy finds the image first with a high score', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const res = await s.api('/api/v1/instances/shop/images', { method: 'POST', json: { productId: `p${seed}`, picName: 'a.jpg', picture: b64(await scene(seed)), intAttr: seed } });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const res = await s.api('/api/v1/instances/shop/search', { method: 'POST', json: { picture: b64(await nearCopy(await scene(5))), num: 3 } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.hits[0].productId, 'p5');
    assert.ok(body.hits[0].score > 0.8, `score ${body.hits[0].score}`);
    assert.ok(body.hits[0].score >= body.hits[1].score);
    assert.equal(body.docsFound, 8);
  });

  test('multipart upload works like base64 JSON', async () => {
    const form = new FormData();
    form.set('productId', 'mp');
    form.set('picName', 'x.png');
    form.set('picture', new Blob([new Uint8Array(await scene(42, { format: 'png' }))]), 'x.png');
    const res = await s.api('/api/v1/instances/shop/images', { method: 'POST', body: form });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).image.format, 'png');
  });

  test('unknown instance is a 404 with the catalogue code', async () => {
    const res = await s.api('/api/v1/instances/nope/images/a/b');
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.error.code, 'INSTANCE_NOT_FOUND');
    assert.match(body.error.requestId, /^[0-9A-F-]{36}$/);
  });

  test('/metrics counts requests by route pattern (never by raw path) and reports instance sizes', async () => {
    await s.api('/api/v1/instances/shop/images/some%20id/x.jpg');
    const text = await (await s.api('/metrics')).text();
    assert.match(text, /tusou_http_requests_total\{route="\/api\/v1\/instances\/:name\/images\/:productId\/:picName",method="GET",status="404"\} \d+/);
    assert.doesNotMatch(text, /some%20id/);
    assert.match(text, /tusou_instance_images\{instance="shop"\} \d+/);
  });

  test('CORS is closed by default: no Access-Control-Allow-Origin on any answer', async () => {
    const res = await s.api('/api/v1/instances', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await s.api('/api/v1/instances', { headers: { origin: 'https://evil.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  test('the OpenAPI document lists the routes', async () => {
    const doc = await (await s.api('/api/v1/openapi.json')).json();
    assert.ok(doc.paths['/instances/{name}/search']);
    assert.ok(doc.paths['/instances/{name}/images']);
  });
});
