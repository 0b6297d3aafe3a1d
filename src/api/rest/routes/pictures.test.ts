import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ANNOTATION_RGB } from '../../../imaging/index.js';
import { scene } from '../../../../test/support/images.js';
import { startTestServer, type TestServer } from '../../../../test/support/server.js';

const b64 = (b: Buffer) => b.toString('base64');

async function rgbAt(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

const isColour = (rgb: number[], want: readonly number[]) => rgb.every((v, i) => Math.abs(v - want[i]) <= 3);

/** Every edge of `box` is drawn in `colour` (sampled one pixel inside the edge, at the middle). */
async function assertBoxDrawn(png: Buffer, box: { x1: number; y1: number; x2: number; y2: number }, colour: readonly number[]) {
  const p = await rgbAt(png);
  const mx = Math.round((box.x1 + box.x2) / 2);
  const my = Math.round((box.y1 + box.y2) / 2);
  const samples = { left: p.at(box.x1 + 1, my), right: p.at(box.x2 - 2, my), top: p.at(mx, box.y1 + 1), bottom: p.at(mx, box.y2 - 2) };
  for (const [edge, rgb] of Object.entries(samples)) assert.ok(isColour(rgb, colour), `${edge} edge at ${JSON.stringify(box)}: rgb(${rgb.join(',')})`);
  assert.ok(!isColour(p.at(mx, my), colour), 'the inside of the box is not painted');
}

describe('thumbnails and annotated pictures over REST', () => {
  let s: TestServer;
  const region = { x1: 40, y1: 50, x2: 200, y2: 190 };
  before(async () => {
    s = await startTestServer();
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'pics' } });
    const add = (productId: string, picName: string, picture: Buffer, extra: Record<string, unknown> = {}) =>
      s.api('/api/v1/instances/pics/images', { method: 'POST', json: { productId, picName, picture: b64(picture), ...extra } });
    assert.equal((await add('p1', 'big.jpg', await scene(1, { width: 640, height: 480 }), { region: `${region.x1},${region.x2},${region.y1},${region.y2}` })).status, 201);
    assert.equal((await add('p2', 'small.png', await scene(2, { width: 120, height: 80, format: 'png' }))).status, 201);
  });
  after(() => s.close());

  test('a thumbnail is WebP within the size, generated once and then served from the cache', async () => {
    const res = await s.api('/api/v1/instances/pics/images/p1/big.jpg/thumbnail?size=128');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 128, 96]);
    const dir = join(s.dataDir, 'thumbnails');
    const [shard] = await readdir(dir);
    const files = await readdir(join(dir, shard));
    assert.equal(files.length, 1);
    assert.match(files[0], /^[0-9a-f]{64}-128\.webp$/);
    // Prove the second answer comes from the cache: change the cached file, ask again.
    const marker = Buffer.concat([bytes, Buffer.from('cached')]);
    await writeFile(join(dir, shard, files[0]), marker);
    const again = Buffer.from(await (await s.api('/api/v1/instances/pics/images/p1/big.jpg/thumbnail?size=128')).arrayBuffer());
    assert.ok(again.equals(marker));
    await writeFile(join(dir, shard, files[0]), bytes);
  });

  test('the default size is 256, small pictures are not enlarged, and an ETag gives a 304', async () => {
    const res = await s.api('/api/v1/instances/pics/images/p1/big.jpg/thumbnail');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [256, 192]);
    const etag = res.headers.get('etag');
    assert.ok(etag);
    const cached = await s.api('/api/v1/instances/pics/images/p1/big.jpg/thumbnail', { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    const small = await sharp(Buffer.from(await (await s.api('/api/v1/instances/pics/images/p2/small.png/thumbnail?size=512')).arrayBuffer())).metadata();
    assert.deepEqual([small.width, small.height], [120, 80]);
  });

  test('a size outside the cached set is PARAM_INVALID naming the allowed sizes', async () => {
    const res = await s.api('/api/v1/instances/pics/images/p1/big.jpg/thumbnail?size=300');
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.code, 'PARAM_INVALID');
    assert.match(body.error.message, /size must be one of 64, 128, 256, 512, 1024; got "300"/);
  });

  test('thumbnail and annotated picture of a missing image are IMAGE_NOT_FOUND', async () => {
    for (const path of ['thumbnail', 'annotated.png']) {
      const res = await s.api(`/api/v1/instances/pics/images/p9/none.jpg/${path}`);
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, 'IMAGE_NOT_FOUND');
    }
  });

  test('annotated.png draws the stored region at its coordinates, in the main colour', async () => {
    const res = await s.api('/api/v1/instances/pics/images/p1/big.jpg/annotated.png');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await res.arrayBuffer());
    const p = await rgbAt(png);
    assert.deepEqual([p.width, p.height], [640, 480]);
    await assertBoxDrawn(png, region, ANNOTATION_RGB.main);
  });

  test('annotated.png?maxPx bounds the picture and scales the box', async () => {
    const png = Buffer.from(await (await s.api('/api/v1/instances/pics/images/p1/big.jpg/annotated.png?maxPx=320')).arrayBuffer());
    const p = await rgbAt(png);
    assert.deepEqual([p.width, p.height], [320, 240]);
    await assertBoxDrawn(png, { x1: 20, y1: 25, x2: 100, y2: 95 }, ANNOTATION_RGB.main);
    const bad = await s.api('/api/v1/instances/pics/images/p1/big.jpg/annotated.png?maxPx=3');
    assert.equal((await bad.json()).error.code, 'PARAM_INVALID');
  });

  test('search with annotate=true answers the query as PNG with the searched region drawn', async () => {
    const query = await scene(1, { width: 640, height: 480 });
    const box = { x1: 300, y1: 100, x2: 600, y2: 400 };
    const res = await s.api('/api/v1/instances/pics/search', { method: 'POST', json: { picture: b64(query), region: box, annotate: true } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('x-tusou-region'), '300,600,100,400');
    assert.equal(res.headers.get('x-tusou-docs-found'), '2');
    await assertBoxDrawn(Buffer.from(await res.arrayBuffer()), box, ANNOTATION_RGB.main);
  });

  test('search takes annotate as a multipart field or a query parameter too', async () => {
    const form = new FormData();
    form.set('picture', new Blob([new Uint8Array(await scene(2, { format: 'png' }))]), 'q.png');
    form.set('region', '10,110,20,120');
    const res = await s.api('/api/v1/instances/pics/search?annotate=true', { method: 'POST', body: form });
    assert.equal(res.headers.get('content-type'), 'image/png');
    await assertBoxDrawn(Buffer.from(await res.arrayBuffer()), { x1: 10, y1: 20, x2: 110, y2: 120 }, ANNOTATION_RGB.main);
    const json = await s.api('/api/v1/instances/pics/search', { method: 'POST', json: { picture: b64(await scene(2)), annotate: false } });
    assert.equal(json.headers.get('content-type'), 'application/json');
    const bad = await s.api('/api/v1/instances/pics/search', { method: 'POST', json: { picture: b64(await scene(2)), annotate: 'yes' } });
    assert.equal((await bad.json()).error.code, 'PARAM_INVALID');
  });

  test('deleting an image removes its original and its thumbnails', async () => {
    await s.api('/api/v1/instances/pics/images', { method: 'POST', json: { productId: 'gone', picName: 'x.jpg', picture: b64(await scene(77)) } });
    assert.equal((await s.api('/api/v1/instances/pics/images/gone/x.jpg/thumbnail?size=64')).status, 200);
    const thumbs = async () => (await readdir(join(s.dataDir, 'thumbnails'), { recursive: true })).filter((f) => String(f).endsWith('-64.webp'));
    assert.equal((await thumbs()).length, 1);
    assert.equal((await s.api('/api/v1/instances/pics/images/gone/x.jpg', { method: 'DELETE' })).status, 200);
    assert.equal((await thumbs()).length, 0);
  });

  test('the OpenAPI document lists the picture routes and the annotate option', async () => {
    const doc = await (await s.api('/api/v1/openapi.json')).json();
    assert.ok(doc.paths['/instances/{name}/images/{productId}/{picName}/thumbnail'].get);
    assert.ok(doc.paths['/instances/{name}/images/{productId}/{picName}/annotated.png'].get);
    assert.ok(doc.paths['/instances/{name}/search'].post.responses['200'].content['image/png']);
    assert.ok(doc.components.schemas.SearchByPicture.properties.annotate);
  });
});

describe('API types of the console', () => {
  test('web/src/api/schema.d.ts matches the OpenAPI document (run npm run gen:api-types after changing routes)', async () => {
    const { API_TYPES_PATH, generateApiTypes } = await import('../../../../scripts/gen-api-types.js');
    assert.ok(existsSync(API_TYPES_PATH));
    assert.equal(await readFile(API_TYPES_PATH, 'utf8'), await generateApiTypes());
  });
});
