import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { demoPhoto } from '../support/demo-photos.js';
import { startTestServer, type TestServer } from '../support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

// The whole product with the real models and the real defaults: instances created without a
// descriptor get the benchmark's choice for their service type (MobileNetV2-mid for product; fused
// with the colour histogram and verified by ORB for generic), detection on (Crop defaults to true),
// over real HTTP.
describe('search by picture with detection and a CNN descriptor', () => {
  let s: TestServer;
  let phoneShot: Buffer;
  before(async () => {
    s = await startTestServer({ TUSOU_VISION_WORKERS: '1', TUSOU_DETECTOR: 'centernet', TUSOU_DEFAULT_DESCRIPTOR: '', TUSOU_DEFAULT_RERANKER: '' });
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'shop', serviceType: 'product' } });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await res.json()).descriptor, 'mnv2mid-gap1792@1');
    phoneShot = await sharp(demoPhoto('sample2')).extract({ left: 0, top: 1100, width: 520, height: 267 }).jpeg({ quality: 92 }).toBuffer();
  });
  after(() => s.close());

  test('an added photo gets its detected regions and predicted category; a rescaled copy finds it first', async () => {
    const pics: [string, Buffer][] = [['phone', phoneShot], ['group-a', demoPhoto('sample1')], ['group-b', demoPhoto('sample6')]];
    for (const [productId, bytes] of pics) {
      const res = await s.api('/api/v1/instances/shop/images', { method: 'POST', json: { productId, picName: 'a.jpg', picture: b64(bytes) } });
      assert.equal(res.status, 201, await res.clone().text());
      const { image } = await res.json();
      assert.ok(image.regions.length > 0, `${productId}: no regions`);
      if (productId === 'phone') assert.equal(image.categoryId, 22);
      else assert.equal(image.categoryId, 88888888);
    }
    const copy = await sharp(demoPhoto('sample1')).resize(1200).jpeg({ quality: 80 }).toBuffer();
    const res = await s.api('/api/v1/instances/shop/search', { method: 'POST', json: { picture: b64(copy), num: 3 } });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.hits[0].productId, 'group-a');
    assert.ok(body.hits[0].score > body.hits[1].score);
  });

  test('a product search stays within the predicted category', async () => {
    const copy = await sharp(phoneShot).resize(400).jpeg({ quality: 85 }).toBuffer();
    const res = await s.api('/api/v1/instances/shop/search', { method: 'POST', json: { picture: b64(copy), num: 10 } });
    const body = await res.json();
    assert.equal(body.query.categoryId, 22);
    assert.deepEqual(body.hits.map((h: { productId: string }) => h.productId), ['phone']);
  });

  test('a generic instance defaults to the fused descriptor and the ORB reranker; a mirrored, recompressed copy finds its original first', async () => {
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'pics' } });
    assert.equal(res.status, 201, await res.clone().text());
    const created = await res.json();
    assert.deepEqual([created.serviceType, created.descriptor, created.reranker], ['generic', 'mnv2mid-colour2304@1', 'orb-ransac-top8@1']);
    for (const sample of ['sample1', 'sample2', 'sample6'] as const) {
      const add = await s.api('/api/v1/instances/pics/images', { method: 'POST', json: { productId: sample, picName: 'a.jpg', picture: b64(demoPhoto(sample)), crop: false } });
      assert.equal(add.status, 201, await add.clone().text());
    }
    const copy = await sharp(demoPhoto('sample6')).flop().resize(640).jpeg({ quality: 40 }).toBuffer();
    const found = await (await s.api('/api/v1/instances/pics/search', { method: 'POST', json: { picture: b64(copy), num: 3, crop: false } })).json();
    assert.equal(found.hits[0].productId, 'sample6', JSON.stringify(found.hits));
  });
});
