// Engine behaviour through the REST API: real HTTP on loopback, real SQLite files, real pictures.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { nearCopy, scene } from '../../test/support/images.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

async function add(s: TestServer, inst: string, body: Record<string, unknown>, seed: number) {
  const res = await s.api(`/api/v1/instances/${inst}/images`, { method: 'POST', json: { picture: b64(await scene(seed)), ...body } });
  const json = await res.json();
  assert.ok(res.status === 201 || res.status === 200, JSON.stringify(json));
  return json;
}

async function search(s: TestServer, inst: string, body: Record<string, unknown>) {
  const res = await s.api(`/api/v1/instances/${inst}/search`, { method: 'POST', json: body });
  return { status: res.status, body: await res.json() };
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = await res.json();
  return { status: res.status, code: body.error?.code, message: body.error?.message };
}

describe('engine through REST', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'cat' } });
    // 30 images: products p0..p9 with three pictures each; attributes derived from the index
    for (let i = 0; i < 30; i++) {
      await add(s, 'cat', {
        productId: `p${i % 10}`, picName: `pic${i}.jpg`, intAttr: i, intAttr2: i % 3, intAttr3: -i, intAttr4: 1000 + i,
        strAttr: i % 2 ? 'odd' : 'even', strAttr2: `s${i % 5}`, strAttr3: 'x', strAttr4: i < 15 ? 'low' : 'high',
      }, 100 + i);
    }
  });
  after(() => s.close());

  test('adding the same ProductId + PicName replaces the image and its metadata', async () => {
    await add(s, 'cat', { productId: 'ow', picName: 'a.jpg', intAttr: 1, strAttr: 'first', customContent: 'v1' }, 900);
    const again = await add(s, 'cat', { productId: 'ow', picName: 'a.jpg', intAttr: 2 }, 901);
    assert.equal(again.replaced, true);
    const got = await (await s.api('/api/v1/instances/cat/images/ow/a.jpg')).json();
    assert.equal(got.intAttr, 2);
    assert.equal(got.strAttr, '', 'attributes not given in the new add are reset');
    assert.equal(got.customContent, '');
    const { body } = await search(s, 'cat', { picture: b64(await scene(901)), num: 1 });
    assert.equal(body.hits[0].productId, 'ow', 'the new picture is searchable');
    assert.ok(body.hits[0].score > 0.999);
    const old = await search(s, 'cat', { picture: b64(await scene(900)), num: 50 });
    assert.equal(old.body.hits.filter((h: { productId: string }) => h.productId === 'ow').length, 1, 'the old vector is gone');
    const detail = await (await s.api('/api/v1/instances/cat')).json();
    assert.equal(detail.imageCount, 31);
    await s.api('/api/v1/instances/cat/images/ow/a.jpg', { method: 'DELETE' });
  });

  test('scores are in [0,1], sorted descending, and 1 for the identical picture', async () => {
    const { body } = await search(s, 'cat', { picture: b64(await scene(107)), num: 30 });
    assert.equal(body.hits[0].picName, 'pic7.jpg');
    assert.ok(Math.abs(body.hits[0].score - 1) < 1e-6);
    for (const h of body.hits) assert.ok(h.score >= 0 && h.score <= 1);
    for (let i = 1; i < body.hits.length; i++) assert.ok(body.hits[i - 1].score >= body.hits[i].score);
  });

  test('a near copy ranks its original first', async () => {
    const { body } = await search(s, 'cat', { picture: b64(await nearCopy(await scene(123))), num: 3 });
    assert.equal(body.hits[0].picName, 'pic23.jpg');
  });

  const filterCases: [string, (i: number) => boolean][] = [
    ['int_attr > 20', (i) => i > 20],
    ['int_attr >= 20', (i) => i >= 20],
    ['int_attr < 5', (i) => i < 5],
    ['int_attr <= 5', (i) => i <= 5],
    ['int_attr = 7', (i) => i === 7],
    ['int_attr != 7 AND int_attr < 10', (i) => i !== 7 && i < 10],
    ['int_attr2 in (0, 2)', (i) => i % 3 !== 1],
    ['int_attr2 not in (0, 2)', (i) => i % 3 === 1],
    ['int_attr3 <= -25', (i) => -i <= -25],
    ['int_attr4 >= 1028', (i) => 1000 + i >= 1028],
    ['str_attr = "odd"', (i) => i % 2 === 1],
    ['str_attr != "odd"', (i) => i % 2 === 0],
    ['str_attr2 in ("s1","s3")', (i) => i % 5 === 1 || i % 5 === 3],
    ['str_attr2 not in ("s1","s3")', (i) => !(i % 5 === 1 || i % 5 === 3)],
    ['str_attr3 = "x" AND str_attr4 = "high"', (i) => i >= 15],
    ['str_attr = "odd" OR int_attr < 4 AND str_attr4 = "low"', (i) => i % 2 === 1 || (i < 4 && i < 15)],
    ['(str_attr = "odd" OR int_attr < 4) AND str_attr4 = "high"', (i) => (i % 2 === 1 || i < 4) && i >= 15],
  ];
  for (const [filter, expected] of filterCases) {
    test(`search by picture with filter ${filter} returns exactly the matching images`, async () => {
      const { status, body } = await search(s, 'cat', { picture: b64(await scene(101)), num: 100, filter });
      assert.equal(status, 200, JSON.stringify(body));
      const want = Array.from({ length: 30 }, (_, i) => i).filter(expected).map((i) => `pic${i}.jpg`).sort();
      assert.deepEqual(body.hits.map((h: { picName: string }) => h.picName).sort(), want);
      assert.equal(body.docsFound, want.length);
    });
  }

  test('list by filter pages through matches in insertion order', async () => {
    const page1 = await (await s.api('/api/v1/instances/cat/images?filter=int_attr%3E%3D10&num=5&start=0')).json();
    const page2 = await (await s.api('/api/v1/instances/cat/images?filter=int_attr%3E%3D10&num=5&start=5')).json();
    assert.equal(page1.docsFound, 20);
    assert.deepEqual(page1.images.map((i: { intAttr: number }) => i.intAttr), [10, 11, 12, 13, 14]);
    assert.deepEqual(page2.images.map((i: { intAttr: number }) => i.intAttr), [15, 16, 17, 18, 19]);
  });

  test('paging: Start/Num select a window of the same ranking', async () => {
    const q = b64(await scene(110));
    const all = (await search(s, 'cat', { picture: q, num: 30 })).body.hits.map((h: { picName: string }) => h.picName);
    const p2 = (await search(s, 'cat', { picture: q, num: 10, start: 10 })).body.hits.map((h: { picName: string }) => h.picName);
    assert.deepEqual(p2, all.slice(10, 20));
    const beyond = await search(s, 'cat', { picture: q, num: 10, start: 40 });
    assert.equal(beyond.status, 200);
    assert.deepEqual(beyond.body.hits, []);
  });

  test('paging bounds: Num 1..100, Start 0..499, Start+Num ≤ 500', async () => {
    const q = b64(await scene(1));
    for (const [body, code] of [
      [{ num: 0 }, 'NUM_INVALID'], [{ num: 101 }, 'NUM_INVALID'], [{ num: 'ten' }, 'NUM_INVALID'],
      [{ start: -1 }, 'START_INVALID'], [{ start: 500 }, 'START_INVALID'], [{ start: 450, num: 60 }, 'RESULT_WINDOW_EXCEEDED'],
    ] as const) {
      const r = await search(s, 'cat', { picture: q, ...body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, code);
    }
    assert.equal((await search(s, 'cat', { picture: q, num: 100, start: 400 })).status, 200);
  });

  test('DistinctProductId keeps one image per product; ScoreThreshold drops weaker hits', async () => {
    const q = b64(await scene(105));
    const d = (await search(s, 'cat', { picture: q, num: 20, distinctProductId: true })).body;
    const products = d.hits.map((h: { productId: string }) => h.productId);
    assert.equal(new Set(products).size, products.length);
    assert.equal(products.length, 10);
    assert.equal(d.hits[0].picName, 'pic5.jpg', 'the best image of a product is the one kept');
    const all = (await search(s, 'cat', { picture: q, num: 30 })).body.hits;
    const cut = all[5].score;
    const t = (await search(s, 'cat', { picture: q, num: 30, scoreThreshold: Math.floor(cut * 100) / 100 })).body;
    assert.ok(t.hits.length >= 6 && t.hits.every((h: { score: number }) => h.score >= Math.floor(cut * 100) / 100));
    const bad = await search(s, 'cat', { picture: q, scoreThreshold: '1.5' });
    assert.equal(bad.body.error.code, 'SCORE_THRESHOLD_INVALID');
  });

  test('search by an indexed image returns itself first with score 1', async () => {
    const res = await s.api('/api/v1/instances/cat/search/by-image', { method: 'POST', json: { productId: 'p3', picName: 'pic13.jpg', num: 5 } });
    const body = await res.json();
    assert.equal(body.hits[0].picName, 'pic13.jpg');
    assert.ok(Math.abs(body.hits[0].score - 1) < 1e-6);
    const missing = await s.api('/api/v1/instances/cat/search/by-image', { method: 'POST', json: { productId: 'p3', picName: 'nope.jpg' } });
    assert.deepEqual((await errorOf(missing)).code, 'IMAGE_NOT_FOUND');
  });

  test('compare gives 1 for the same picture and less for another', async () => {
    const same = new FormData();
    same.set('first', new Blob([new Uint8Array(await scene(3))]));
    same.set('second', new Blob([new Uint8Array(await scene(3, { format: 'png' }))]));
    const r1 = await (await s.api('/api/v1/instances/cat/compare', { method: 'POST', body: same })).json();
    assert.ok(r1.score > 0.99, JSON.stringify(r1));
    const r2 = await (await s.api('/api/v1/instances/cat/compare', { method: 'POST', json: { first: b64(await scene(3)), second: b64(await scene(4)) } })).json();
    assert.ok(r2.score < r1.score);
  });

  test('update changes only the given fields', async () => {
    const res = await s.api('/api/v1/instances/cat/images/p1/pic11.jpg', { method: 'PATCH', json: { strAttr3: 'changed', intAttr4: 5 } });
    const body = await res.json();
    assert.equal(body.strAttr3, 'changed');
    assert.equal(body.intAttr4, 5);
    assert.equal(body.intAttr, 11);
    const bad = await s.api('/api/v1/instances/cat/images/p1/pic11.jpg', { method: 'PATCH', json: { strAttr: 'a$b' } });
    assert.equal((await errorOf(bad)).code, 'ATTR_STR_INVALID');
    const missing = await s.api('/api/v1/instances/cat/images/p1/none.jpg', { method: 'PATCH', json: { intAttr: 1 } });
    assert.equal((await errorOf(missing)).status, 404);
  });

  test('delete by key, by product and by filter; deleted images leave the index', async () => {
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'del' } });
    for (let i = 0; i < 9; i++) await add(s, 'del', { productId: `q${i % 3}`, picName: `d${i}.jpg`, intAttr: i }, 300 + i);
    const one = await (await s.api('/api/v1/instances/del/images/q0/d0.jpg', { method: 'DELETE' })).json();
    assert.deepEqual(one.deleted, [{ productId: 'q0', picName: 'd0.jpg' }]);
    const none = await (await s.api('/api/v1/instances/del/images/q0/d0.jpg', { method: 'DELETE' })).json();
    assert.deepEqual(none.deleted, [], 'deleting what is gone succeeds with nothing deleted');
    const product = await (await s.api('/api/v1/instances/del/products/q1', { method: 'DELETE' })).json();
    assert.deepEqual(product.deleted.map((d: { picName: string }) => d.picName).sort(), ['d1.jpg', 'd4.jpg', 'd7.jpg']);
    const filtered = await (await s.api(`/api/v1/instances/del/images?filter=${encodeURIComponent('int_attr >= 5')}`, { method: 'DELETE' })).json();
    assert.deepEqual(filtered.deleted.map((d: { picName: string }) => d.picName).sort(), ['d5.jpg', 'd6.jpg', 'd8.jpg']);
    const left = (await search(s, 'del', { picture: b64(await scene(300)), num: 20 })).body;
    assert.deepEqual(left.hits.map((h: { picName: string }) => h.picName).sort(), ['d2.jpg', 'd3.jpg']);
    assert.equal((await (await s.api('/api/v1/instances/del')).json()).imageCount, 2);
  });

  test('export streams every record as NDJSON', async () => {
    const text = await (await s.api('/api/v1/instances/cat/export')).text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 30);
    assert.equal(lines[0].picName, 'pic0.jpg');
  });
});

describe('metric choice', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.close());

  for (const [descriptor, metric] of [
    ['colour-hist-rgb512@1', 'cosine'], ['colour-hist-rgb512@1', 'l2'], ['colour-hist-rgb512@1', 'l1'],
    ['colour-hist-rgb512@1', 'jaccard'], ['phash-64@1', 'hamming'], ['dhash-64@1', 'jaccard'],
  ]) {
    test(`an instance with ${descriptor} under ${metric} ranks the identical picture first`, async () => {
      const name = `m-${metric}-${descriptor.slice(0, 5)}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20);
      const created = await s.api('/api/v1/instances', { method: 'POST', json: { name, descriptor, metric } });
      const inst = await created.json();
      assert.equal(created.status, 201, JSON.stringify(inst));
      assert.equal(inst.metric, metric);
      for (let i = 0; i < 6; i++) await add(s, name, { productId: `m${i}`, picName: 'a.jpg' }, 500 + i);
      const { body } = await search(s, name, { picture: b64(await scene(503)), num: 6 });
      assert.equal(body.hits[0].productId, 'm3');
      assert.ok(body.hits[0].score > 0.999, String(body.hits[0].score));
      assert.ok(body.hits[5].score < body.hits[0].score);
    });
  }

  test('a metric that does not fit the descriptor is refused', async () => {
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'bad', descriptor: 'phash-64@1', metric: 'cosine' } });
    assert.equal((await errorOf(res)).code, 'METRIC_INVALID');
    const res2 = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'bad', descriptor: 'phash-64@1', index: 'hnsw' } });
    assert.equal((await errorOf(res2)).code, 'INDEX_SPEC_INVALID');
  });
});

describe('bad input gets a clear 4xx and the server keeps serving', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ TUSOU_MAX_IMAGE_BYTES: String(200 * 1024) });
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'e' } });
  });
  after(() => s.close());

  const addRaw = (picture: Buffer, extra: Record<string, unknown> = {}) =>
    s.api('/api/v1/instances/e/images', { method: 'POST', json: { productId: 'p', picName: 'x', picture: picture.toString('base64'), ...extra } });

  test('unknown instance', async () => {
    assert.deepEqual(await errorOf(await s.api('/api/v1/instances/ghost')), { status: 404, code: 'INSTANCE_NOT_FOUND', message: 'instance ghost does not exist' });
  });

  test('bad instance names', async () => {
    for (const name of ['', 'a'.repeat(21), 'has space', 'semi;colon', '../x']) {
      const res = await s.api('/api/v1/instances', { method: 'POST', json: { name } });
      const e = await errorOf(res);
      assert.equal(e.status, 400, name);
      assert.ok(['INSTANCE_NAME_INVALID', 'INSTANCE_NAME_MISSING'].includes(e.code), `${name}: ${e.code}`);
    }
    const dup = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'e' } });
    assert.deepEqual((await errorOf(dup)).code, 'INSTANCE_EXISTS');
  });

  test('zero-byte, non-image, corrupt, truncated and oversize pictures', async () => {
    const jpeg = await scene(1);
    // Just over the 200 KiB picture limit, but under the body limit, so the picture check answers.
    const big = await sharp({ create: { width: 280, height: 280, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    assert.ok(big.length > 200 * 1024 && big.length * 1.34 < 350 * 1024, String(big.length));
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x55, 200, 2000);
    const cases: [Buffer, number, string][] = [
      [Buffer.alloc(0), 400, 'IMAGE_EMPTY'],
      [Buffer.from('hello, I am text posing as an image'), 415, 'IMAGE_FORMAT_UNSUPPORTED'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>'), 415, 'IMAGE_FORMAT_UNSUPPORTED'],
      [jpeg.subarray(0, Math.floor(jpeg.length / 2)), 400, 'IMAGE_CORRUPT'],
      [corrupt, 400, 'IMAGE_CORRUPT'],
      [big, 413, 'IMAGE_TOO_LARGE'],
    ];
    for (const [bytes, status, code] of cases) {
      const e = await errorOf(await addRaw(bytes));
      assert.equal(e.code, code, `${code}: ${e.message}`);
      assert.equal(e.status, status);
      assert.ok(e.message.length > 10);
    }
    const notBase64 = await s.api('/api/v1/instances/e/images', { method: 'POST', json: { productId: 'p', picName: 'x', picture: 'not base64!!' } });
    assert.equal((await errorOf(notBase64)).code, 'IMAGE_BASE64_INVALID');
    assert.equal((await s.api('/api/v1/health')).status, 200, 'still serving');
  });

  test('pixel bounds', async () => {
    const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).png().toBuffer();
    const e = await errorOf(await addRaw(tiny));
    assert.equal(e.code, 'IMAGE_PIXELS_OUT_OF_RANGE');
    assert.match(e.message, /8x8/);
  });

  test('bad keys, attributes and regions', async () => {
    const pic = await scene(2);
    const check = async (extra: Record<string, unknown>, code: string) => assert.equal((await errorOf(await addRaw(pic, extra))).code, code, JSON.stringify(extra));
    await check({ productId: '' }, 'PRODUCT_ID_MISSING');
    await check({ productId: 'x'.repeat(257) }, 'PRODUCT_ID_INVALID');
    await check({ picName: 'a\u0000b' }, 'PIC_NAME_INVALID');
    await check({ intAttr: 1.5 }, 'ATTR_INT_INVALID');
    await check({ intAttr2: 2 ** 31 }, 'ATTR_INT_INVALID');
    await check({ strAttr: 'x'.repeat(129) }, 'ATTR_STR_INVALID');
    await check({ customContent: 'x'.repeat(4097) }, 'CUSTOM_CONTENT_INVALID');
    await check({ region: '10,5,0,10' }, 'REGION_INVALID');
    await check({ region: '0,9999,0,10' }, 'REGION_INVALID');
    await check({ region: 'a,b,c,d' }, 'REGION_INVALID');
  });

  test('bad filter syntax names the position', async () => {
    const res = await s.api('/api/v1/instances/e/search', { method: 'POST', json: { picture: (await scene(1)).toString('base64'), filter: 'int_attr >> 3' } });
    const e = await errorOf(res);
    assert.equal(e.code, 'FILTER_SYNTAX');
    assert.match(e.message, /character 11/);
  });

  test('a body over the limit is refused before it is read', async () => {
    const res = await s.api('/api/v1/instances/e/images', { method: 'POST', json: { productId: 'p', picName: 'x', picture: 'A'.repeat(600 * 1024) } });
    assert.deepEqual([res.status, (await res.json()).error.code], [413, 'BODY_TOO_LARGE']);
  });

  test('malformed JSON and unknown routes', async () => {
    const res = await s.api('/api/v1/instances', { method: 'POST', body: '{"name": ', headers: { 'content-type': 'application/json' } });
    assert.equal((await errorOf(res)).status, 400);
    assert.equal((await errorOf(await s.api('/api/v1/nothing-here'))).code, 'ROUTE_NOT_FOUND');
  });

  test('a region describes only that part of the picture', async () => {
    const created = await addRaw(await scene(77, { width: 400, height: 300 }), { productId: 'reg', picName: 'r', region: '100,300,50,250' });
    const body = await created.json();
    assert.deepEqual(body.image.region, { x1: 100, y1: 50, x2: 300, y2: 250 });
  });
});
