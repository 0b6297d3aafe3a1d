// Instances with a reranker over the REST API: created, described, and a partial view found.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { photo } from '../../../test/support/photos.js';
import { scene } from '../../../test/support/images.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

describe('REST instances with a local-feature reranker', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(() => s.close());

  test('POST /instances with reranker orb-ransac@1 creates it, and GET describes it', async () => {
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'verified', reranker: 'orb-ransac@1' } });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await res.json()).reranker, 'orb-ransac@1');
    assert.equal((await (await s.api('/api/v1/instances/verified')).json()).reranker, 'orb-ransac@1');
  });

  test('an unknown reranker is a 400 DESCRIPTOR_UNKNOWN naming the known ones', async () => {
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'bad', reranker: 'sift@9' } });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.code, 'DESCRIPTOR_UNKNOWN');
    assert.match(body.error.message, /orb-ransac@1/);
    assert.equal((await s.api('/api/v1/instances/bad')).status, 404);
  });

  test('a rotated quarter of a photo finds the photo first, with a score above 0.9', async () => {
    const party = await photo('party');
    const pictures: [string, Buffer][] = [['party', party], ['dinner', await photo('dinner')], ['portrait', await photo('portrait')], ['shapes', await scene(4)]];
    for (const [productId, bytes] of pictures) {
      const res = await s.api('/api/v1/instances/verified/images', { method: 'POST', json: { productId, picName: 'a.jpg', picture: b64(bytes), crop: false } });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const m = await sharp(party).metadata();
    const quarter = await sharp(await sharp(party).extract({ left: Math.floor(m.width! / 2), top: Math.floor(m.height! / 2), width: Math.floor(m.width! / 2), height: Math.floor(m.height! / 2) }).toBuffer())
      .rotate(-12, { background: '#000' }).jpeg({ quality: 70 }).toBuffer();
    const res = await s.api('/api/v1/instances/verified/search', { method: 'POST', json: { picture: b64(quarter), num: 4, crop: false } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.hits[0].productId, 'party');
    assert.ok(body.hits[0].score > 0.9, `score ${body.hits[0].score}`);
  });
});

describe('REST default rerankers per service type', () => {
  let s: TestServer;
  // The configured defaults, not the tests' (which switch the reranker off).
  before(async () => { s = await startTestServer({ TUSOU_DEFAULT_RERANKER: '' }); });
  after(() => s.close());

  test('a generic instance verifies with orb-ransac-top8@1 unless its creator says none; a product instance has none', async () => {
    const created = async (json: Record<string, unknown>) => {
      const res = await s.api('/api/v1/instances', { method: 'POST', json });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()).reranker as string | undefined;
    };
    assert.equal(await created({ name: 'pics' }), 'orb-ransac-top8@1');
    assert.equal(await created({ name: 'plain', reranker: 'none' }), undefined);
    assert.equal(await created({ name: 'shop', serviceType: 'product' }), undefined);
    assert.equal(await created({ name: 'deep', serviceType: 'product', reranker: 'orb-ransac@1' }), 'orb-ransac@1');
    assert.equal((await (await s.api('/api/v1/instances/plain')).json()).reranker, undefined);
  });
});
