import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { demoPhoto } from '../support/demo-photos.js';
import { startTestServer, type TestServer } from '../support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

// The whole product with the real models: a product instance on the MobileNetV2-mid descriptor,
// detection on (Crop defaults to true), over real HTTP.
describe('search by picture with detection and a CNN descriptor', () => {
  let s: TestServer;
  let phoneShot: Buffer;
  before(async () => {
    s = await startTestServer({ TUSOU_VISION_WORKERS: '1', TUSOU_DETECTOR: 'centernet' });
    const res = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'shop', serviceType: 'product', descriptor: 'mnv2mid-gap1792@1' } });
    assert.equal(res.status, 201, await res.clone().text());
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
});
