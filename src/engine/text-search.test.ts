import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { DEFAULT_ATTRIBUTES, type ImageRecord } from '../domain/index.js';
import { TextIndex, tokenize } from './text-index.js';

function record(label: number, extra: Partial<ImageRecord>): ImageRecord {
  return {
    label, productId: `p${label}`, picName: `${label}.jpg`, ...DEFAULT_ATTRIBUTES, categoryId: 88888888,
    region: { x1: 0, y1: 0, x2: 1, y2: 1 }, regions: [], width: 1, height: 1, format: 'jpeg', sha256: '', bytes: 1, createdAt: 0, updatedAt: 0, ...extra,
  };
}

const box = { x1: 0, y1: 0, x2: 1, y2: 1 };

describe('text index', () => {
  const t = new TextIndex();
  t.upsert(record(1, { regions: [{ box, label: 'cell phone', score: 0.6 }] }));
  t.upsert(record(2, { regions: [{ box, label: 'dog', score: 0.7 }, { box, label: 'person', score: 0.5 }] }));
  t.upsert(record(3, { categoryId: 4 }));
  t.upsert(record(4, { picName: 'red_leather-handbag.jpg' }));
  t.upsert(record(5, { customContent: 'Limited edition espresso cup, 250 ml' }));
  t.upsert(record(6, { strAttr2: 'waterproof' }));

  const top = (q: string) => t.search(q)[0]?.label;
  test('finds images by detected object label, its synonyms and its Chinese name', () => {
    assert.equal(top('cell phone'), 1);
    assert.equal(top('smartphone'), 1);
    assert.equal(top('手机'), 1);
    assert.equal(top('puppy'), 2);
    assert.equal(top('狗'), 2);
  });
  test('finds images by category name in both languages and by synonyms', () => {
    assert.equal(top('shoes'), 3);
    assert.equal(top('鞋'), 3);
    assert.equal(top('运动鞋'), 3);
    assert.equal(top('sneakers'), 3);
  });
  test('finds images by words of PicName, CustomContent and string attributes', () => {
    assert.equal(top('handbag'), 4);
    assert.equal(top('espresso'), 5);
    assert.equal(top('waterproof'), 6);
    assert.deepEqual(t.search('submarine'), []);
  });
  test('removal and replacement keep it current; a filter restricts it', () => {
    const local = new TextIndex();
    local.upsert(record(10, { customContent: 'blue kettle' }));
    local.upsert(record(11, { customContent: 'blue teapot' }));
    assert.deepEqual(local.search('blue', (l) => l === 11).map((h) => h.label), [11]);
    local.remove(10);
    assert.deepEqual(local.search('kettle'), []);
  });
  test('CJK runs become characters and pairs when indexed, pairs when queried', () => {
    assert.deepEqual(tokenize('运动鞋 Nike-Air'), ['运', '运动', '动', '动鞋', '鞋', 'nike', 'air']);
    assert.deepEqual(tokenize('运动鞋 包', true), ['运动', '动鞋', '包']);
  });
});

describe('search by text over REST', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'shop', serviceType: 'product' } });
    const items = [
      { productId: 's1', picName: 'running-shoe.jpg', categoryId: 4, intAttr: 1 },
      { productId: 's2', picName: 'boot.jpg', categoryId: 4, intAttr: 2 },
      { productId: 'b1', picName: 'tote.jpg', categoryId: 3, customContent: 'canvas tote bag for the beach', intAttr: 3 },
      { productId: 'd1', picName: 'summer.jpg', categoryId: 1, strAttr: 'floral', intAttr: 4 },
    ];
    for (const [i, item] of items.entries()) {
      const res = await s.api('/api/v1/instances/shop/images', { method: 'POST', json: { ...item, picture: (await scene(200 + i)).toString('base64') } });
      assert.equal(res.status, 201);
    }
  });
  after(() => s.close());

  const search = async (body: Record<string, unknown>) => (await s.api('/api/v1/instances/shop/search/by-text', { method: 'POST', json: body })).json();

  test('category words in English and Chinese find the category', async () => {
    const en = await search({ text: 'shoes' });
    assert.deepEqual(en.hits.map((h: { productId: string }) => h.productId).sort(), ['s1', 's2']);
    const zh = await search({ text: '鞋子' });
    assert.deepEqual(zh.hits.map((h: { productId: string }) => h.productId).sort(), ['s1', 's2']);
    assert.ok(en.hits.every((h: { score: number }) => h.score > 0 && h.score < 1));
  });

  test('names and custom content are searchable; filters and paging apply; the text index follows updates', async () => {
    assert.equal((await search({ text: 'running' })).hits[0].productId, 's1');
    assert.equal((await search({ text: 'beach' })).hits[0].productId, 'b1');
    const filtered = await search({ text: 'shoes', filter: 'int_attr = 2' });
    assert.deepEqual(filtered.hits.map((h: { productId: string }) => h.productId), ['s2']);
    const page = await search({ text: 'shoes', num: 1, start: 1 });
    assert.equal(page.hits.length, 1);
    assert.equal(page.docsFound, 2);
    await s.api('/api/v1/instances/shop/images/d1/summer.jpg', { method: 'PATCH', json: { customContent: 'silk evening gown' } });
    assert.equal((await search({ text: 'silk' })).hits[0].productId, 'd1');
    await s.api('/api/v1/instances/shop/images/b1/tote.jpg', { method: 'DELETE' });
    assert.deepEqual((await search({ text: 'beach' })).hits, []);
  });

  test('empty or oversize text is TEXT_INVALID', async () => {
    assert.equal((await search({ text: '' })).error.code, 'TEXT_INVALID');
    assert.equal((await search({ text: 'x'.repeat(513) })).error.code, 'TEXT_INVALID');
  });
});
