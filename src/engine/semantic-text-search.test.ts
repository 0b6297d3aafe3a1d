import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startTestServer, tempDir, type TestServer } from '../../test/support/server.js';
import { TINY_WORDS, writeTinyClip } from '../../test/support/tiny-clip.js';
import { UserModels } from '../vision/index.js';

const COLOURS: Record<string, [number, number, number]> = {
  red: [255, 0, 0], orange: [255, 128, 0], magenta: [255, 0, 255], green: [0, 255, 0], blue: [0, 0, 255],
};

const png = (rgb: [number, number, number]) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

/** What the tiny model gives a solid picture: (rgb/255 − 0.5)/0.5 per channel, then a 4th zero. */
const pictureVector = (rgb: [number, number, number]) => [...rgb.map((c) => (c / 255 - 0.5) / 0.5), 0];
const cosine = (a: readonly number[], b: readonly number[]) => {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
};

describe('semantic text search with a user-provided CLIP-style model', () => {
  let s: TestServer;
  let bm25: string;
  before(async () => {
    const dataDir = await tempDir();
    // Registered before start, as `tusou models add` would.
    await new UserModels(join(dataDir, 'models')).add('tiny', writeTinyClip(await tempDir('tusou-tiny-')));
    s = await startTestServer({ TUSOU_VISION_WORKERS: '1' }, dataDir);
    const descriptors = await (await s.api('/api/v1/descriptors')).json() as { descriptors: { id: string; dim: number }[] };
    assert.deepEqual(descriptors.descriptors.find((d) => d.id === 'clip:tiny@1')?.dim, 4);
    assert.equal((await s.api('/api/v1/instances', { method: 'POST', json: { name: 'clip', descriptor: 'clip:tiny@1' } })).status, 201);
    bm25 = 'words';
    assert.equal((await s.api('/api/v1/instances', { method: 'POST', json: { name: bm25 } })).status, 201);
    let i = 0;
    for (const [name, rgb] of Object.entries(COLOURS)) {
      for (const instance of ['clip', bm25]) {
        const res = await s.api(`/api/v1/instances/${instance}/images`, {
          method: 'POST', json: { productId: name, picName: `${name}.png`, picture: (await png(rgb)).toString('base64'), intAttr: i, customContent: `a ${name} swatch` },
        });
        assert.equal(res.status, 201, await res.text());
      }
      i++;
    }
  });
  after(() => s.close());

  const byText = async (instance: string, body: object) => {
    const res = await s.api(`/api/v1/instances/${instance}/search/by-text`, { method: 'POST', json: body });
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json() as { docsFound: number; hits: { productId: string; score: number }[] };
  };

  test('a text query ranks every picture by the cosine similarity of text and picture embeddings', async () => {
    const res = await byText('clip', { text: 'a photo of a red thing', num: 5 });
    const expected = Object.entries(COLOURS)
      .map(([name, rgb]) => ({ name, score: Math.max(0, cosine(TINY_WORDS.red, pictureVector(rgb))) }))
      .sort((a, b) => b.score - a.score);
    assert.deepEqual(res.hits.slice(0, 3).map((h) => h.productId), ['red', 'orange', 'magenta']);
    for (const h of res.hits) {
      const want = expected.find((e) => e.name === h.productId)!.score;
      assert.ok(Math.abs(h.score - want) < 2e-3, `${h.productId}: score ${h.score}, cosine ${want}`);
    }
    assert.equal(res.docsFound, 5);
    assert.equal((await byText('clip', { text: 'blue' })).hits[0].productId, 'blue');
  });

  test('filters, paging and the score threshold apply to semantic text queries', async () => {
    const filtered = await byText('clip', { text: 'red', filter: 'int_attr>=1' });
    assert.deepEqual(filtered.hits.slice(0, 2).map((h) => h.productId), ['orange', 'magenta']);
    assert.equal(filtered.docsFound, 4);
    const page = await byText('clip', { text: 'red', num: 2, start: 1 });
    assert.deepEqual(page.hits.map((h) => h.productId), ['orange', 'magenta']);
    const sure = await byText('clip', { text: 'red', scoreThreshold: 0.5 });
    assert.deepEqual(sure.hits.map((h) => h.productId), ['red', 'orange']);
    assert.equal(sure.docsFound, 2);
  });

  test('an instance without such a model keeps answering by words (BM25), with filters and paging', async () => {
    const res = await byText(bm25, { text: 'orange swatch', num: 1 });
    assert.equal(res.hits[0].productId, 'orange');
    const filtered = await byText(bm25, { text: 'swatch', filter: 'int_attr<2', num: 10 });
    assert.deepEqual(filtered.hits.map((h) => h.productId).sort(), ['orange', 'red']);
    const second = await byText(bm25, { text: 'swatch', num: 2, start: 2 });
    assert.equal(second.hits.length, 2);
    assert.equal(second.docsFound, 5);
  });

  test('search by picture on the model instance uses the image encoder', async () => {
    const res = await s.api('/api/v1/instances/clip/search', { method: 'POST', json: { picture: (await png([250, 5, 5])).toString('base64'), num: 1 } });
    const body = await res.json() as { hits: { productId: string; score: number }[] };
    assert.equal(body.hits[0].productId, 'red');
    assert.ok(body.hits[0].score > 0.99);
  });
});
