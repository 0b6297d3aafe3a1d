// The unmodified official SDK (@alicloud/imagesearch20201214 4.4.0) against a real tusou server on
// loopback: every action, both signature versions, the *Advance uploads, pagination, filters,
// Crop/Region, tasks and the error cases. Responses are compared with golden files
// (test/golden/aliyun/<action>.<case>.json, volatile fields normalised; UPDATE_GOLDEN=1 rewrites).

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import dara from '@darabonba/typescript';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { assertGolden } from '../support/golden.js';
import { nearCopy, scene } from '../support/images.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';
import { SPEC_EXAMPLES, assertShape } from './aliyun-spec-shapes.js';

const Client = sdk.default;
const { RuntimeOptions } = dara;
type SdkClient = InstanceType<typeof Client>;

const AK = 'TSE2EBOOTSTRAPKEY';
const SECRET = 'e2e-bootstrap-secret-0123456789';
const REST_AUTH = { authorization: `Bearer ${AK}:${SECRET}` };
const DESCRIPTOR = 'colour-hist-rgb512@1';

// ---------------------------------------------------------------- helpers

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replace what changes between runs (ids, times, hosts, signatures) so goldens stay stable. */
function normalise(v: Json, key = ''): Json {
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x, k)]));
  switch (key) {
    case 'RequestId': return '<RequestId>';
    case 'HostId': return '<host>';
    case 'SearchTime': return 0;
    case 'UtcCreate': return '<epoch-ms>';
    case 'UtcModified': return 0;
    case 'Score': return Math.round((v as number) * 1e4) / 1e4;
    case 'SortExprValues': return String(v).replace(/^([\d.e-]+)/, (s) => String(Math.round(Number(s) * 1e4) / 1e4));
    case 'MetaUrl': case 'ErrorUrl':
      return String(v).replace(/^https?:\/\/[^/]+/, 'http://<host>').replace(/Expires=\d+/, 'Expires=<s>').replace(/Signature=[0-9a-f]+/, 'Signature=<hex>');
    default:
      // Ports of loopback servers and request times differ per run.
      return typeof v === 'string' ? v.replace(/127\.0\.0\.1:\d+/g, '<host>').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>') : v;
  }
}

/** Golden-compare a typed SDK response (as the SDK maps it back to wire keys) and check its shape against the spec. */
function golden(action: string, name: string, res: { statusCode?: number; body?: { toMap(): Record<string, unknown> } }): void {
  const body = normalise(res.body!.toMap() as Json);
  assertShape(body, SPEC_EXAMPLES[action]);
  assertGolden(`aliyun/${action}.${name}`, { statusCode: res.statusCode, body });
}

interface SdkError { name: string; code: string; statusCode: number; data: Record<string, unknown>; message: string }

/** Assert the SDK throws `name` with `code` and `statusCode`; golden-compare the error body when named. */
async function fails(p: Promise<unknown>, expected: { name?: string; code: string; statusCode: number | undefined }, goldenName?: string): Promise<SdkError> {
  let err: SdkError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as SdkError;
  }
  assert.ok(err, `expected ${expected.code}, but the call succeeded`);
  assert.equal(err.code, expected.code, err.message);
  assert.equal(err.statusCode, expected.statusCode, err.message);
  assert.equal(err.name, expected.name ?? ((expected.statusCode ?? 0) >= 500 ? 'ServerError' : 'ClientError'));
  if (goldenName) {
    const body = normalise(err.data as Json);
    assertShape(body, SPEC_EXAMPLES.Error);
    assertGolden(`aliyun/${goldenName}`, { statusCode: err.statusCode, body });
  }
  return err;
}

function makeClient(s: TestServer, extra: Record<string, unknown> = {}): SdkClient {
  const client = new Client(new $OpenApiUtil.Config({
    accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(s.url).host, protocol: 'http', regionId: 'cn-shanghai',
    readTimeout: 30_000, connectTimeout: 30_000, ...extra,
  }));
  // The one extra line the *Advance methods need (aliyun-imagesearch-api.md §8).
  client._openPlatformEndpoint = new URL(s.url).host;
  return client;
}

async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const b64 = (b: Buffer) => b.toString('base64');

interface Item { productId: string; picName: string; seed: number; intAttr: number; intAttr2: number; strAttr: string; strAttr2: string }

/** The stable data set of instance `gen`: 13 pictures, p1 has two. */
const ITEMS: Item[] = Array.from({ length: 13 }, (_, i) => {
  const seed = i + 1;
  return { productId: seed === 13 ? 'p1' : `p${seed}`, picName: `${seed}.jpg`, seed, intAttr: seed, intAttr2: seed % 3, strAttr: seed % 2 ? 'odd' : 'even', strAttr2: `s${seed}` };
});

// ---------------------------------------------------------------- the suite

describe('the official Alibaba Cloud SDK against tusou', () => {
  let s: TestServer;
  let client: SdkClient;
  let root: string;
  const callbacks: Record<string, unknown>[] = [];
  let callbackServer: http.Server;
  let callbackUrl: string;

  const rest = (path: string, json: unknown) => s.api(path, { method: 'POST', json, headers: REST_AUTH });

  before(async () => {
    root = await tempDir('tusou-aliyun-');
    const bucket = join(root, 'bucket');
    await mkdir(join(bucket, 'batch', 'pics'), { recursive: true });
    for (let i = 1; i <= 3; i++) await writeFile(join(bucket, 'batch', 'pics', `b${i}.png`), await scene(100 + i, { format: 'png' }));
    await writeFile(join(bucket, 'batch', 'increment.meta'), [
      { OperationType: 'ADD', ProductId: 'b1', PicName: 'pics/b1.png', IntAttr: 1, StrAttr: 'x', CustomContent: 'first' },
      { ProductId: 'b2', PicName: 'pics/b2.png', IntAttr: 2, Region: '0,100,0,100' },
      { ProductId: 'b3', PicName: 'pics/b3.png', IntAttr: 3 },
      { ProductId: 'bad', PicName: 'pics/missing.png' },
      { OperationType: 'DELETE', ProductId: 'b3' },
    ].map((o) => JSON.stringify(o)).join('\n'));

    callbackServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        callbacks.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', r));
    callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/done`;

    s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${bucket}` });
    for (const [name, serviceType] of [['gen', 'generic'], ['shop', 'product'], ['batch', 'generic']]) {
      const res = await rest('/api/v1/instances', { name, serviceType, descriptor: DESCRIPTOR, index: 'flat' });
      assert.equal(res.status, 201, await res.clone().text());
    }
    client = makeClient(s);
  });

  after(async () => {
    await s.close();
    callbackServer.closeAllConnections();
    await new Promise<void>((r) => callbackServer.close(() => r()));
    await rm(root, { recursive: true, force: true });
  });

  // ---- AddImage

  test('AddImage indexes base64 pictures and answers PicInfo (generic instance: category 88888888)', async () => {
    for (const it of ITEMS) {
      const res = await client.addImage(new M.AddImageRequest({
        instanceName: 'gen', productId: it.productId, picName: it.picName, picContent: b64(await scene(it.seed)), crop: false,
        intAttr: it.intAttr, intAttr2: it.intAttr2, strAttr: it.strAttr, strAttr2: it.strAttr2, customContent: `seed ${it.seed}`,
      }));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body?.success, true);
      assert.equal(res.body?.code, 0);
      assert.equal(res.body?.message, 'success');
      assert.equal(res.body?.picInfo?.categoryId, 88888888);
      assert.equal(res.body?.picInfo?.region, '0,320,0,240');
      assert.deepEqual(res.body?.picInfo?.allCategories?.map((c) => [c.id, c.name]), [[88888888, 'other']]);
      if (it.seed === 1) golden('AddImage', 'generic-crop-off', res);
    }
  });

  test('AddImage on a product instance keeps the given category; an explicit Region is the described box whatever Crop says', async () => {
    const res = await client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'bag-1', picName: 'front.jpg', picContent: b64(await scene(21)), categoryId: 3, region: '10,200,20,150', crop: false }));
    assert.equal(res.body?.picInfo?.categoryId, 3);
    assert.equal(res.body?.picInfo?.region, '10,200,20,150');
    assert.equal(res.body?.picInfo?.allCategories?.length, 14);
    golden('AddImage', 'product-region', res);
    const cropOn = await client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'bag-1', picName: 'side.jpg', picContent: b64(await scene(22)), categoryId: 3 }));
    const [x1, x2, y1, y2] = (cropOn.body?.picInfo?.region ?? '').split(',').map(Number);
    assert.ok(x1 >= 0 && x1 < x2 && x2 <= 320 && y1 >= 0 && y1 < y2 && y2 <= 240, `Crop on describes a box inside the picture: ${cropOn.body?.picInfo?.region}`);
    assert.ok((cropOn.body?.picInfo?.multiRegion?.length ?? 0) >= 1);
    const cropOff = await client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'bag-2', picName: 'a.jpg', picContent: b64(await scene(23)), categoryId: 3, crop: false }));
    assert.equal(cropOff.body?.picInfo?.region, '0,320,0,240');
  });

  test('AddImage with an existing ProductId+PicName overwrites it', async () => {
    const before = (await client.detail(new M.DetailRequest({ instanceName: 'shop' }))).body?.instance?.totalCount;
    await client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'bag-2', picName: 'a.jpg', picContent: b64(await scene(24)), categoryId: 4, intAttr: 99, crop: false }));
    const check = await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'shop', productId: 'bag-2', picName: 'a.jpg' }));
    assert.deepEqual([check.body?.auctions?.intAttr, check.body?.auctions?.categoryId], [99, 4]);
    assert.equal((await client.detail(new M.DetailRequest({ instanceName: 'shop' }))).body?.instance?.totalCount, before);
  });

  // ---- SearchImageByPic

  test('SearchImageByPic ranks a near copy first with a high score', async () => {
    const res = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: b64(await nearCopy(await scene(5))), num: 3, crop: false }));
    const b = res.body!;
    assert.deepEqual([b.success, b.code, b.msg], [true, 0, 'success']);
    assert.deepEqual([b.head?.docsReturn, b.head?.docsFound], [3, 13]);
    assert.ok((b.head?.searchTime ?? -1) >= 0);
    assert.equal(b.auctions?.[0].productId, 'p5');
    assert.ok((b.auctions?.[0].score ?? 0) > 0.8, `score ${b.auctions?.[0].score}`);
    const scores = b.auctions!.map((a) => a.score!);
    assert.deepEqual(scores, [...scores].sort((x, y) => y - x));
    for (const a of b.auctions!) assert.equal(a.sortExprValues, `${a.score};0`);
    assert.equal(b.auctions?.[0].customContent, 'seed 5');
    assert.equal(b.picInfo?.region, '0,256,0,192');
    golden('SearchImageByPic', 'near-copy', res);
  });

  test('Num and Start page through one ranking; a Start past the end is an empty page', async () => {
    const query = b64(await scene(7));
    const search = (num: number, start: number) => client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: query, num, start, crop: false }));
    const full = (await search(13, 0)).body!.auctions!.map((a) => a.picName);
    assert.equal(full.length, 13);
    const paged: (string | undefined)[] = [];
    for (let start = 0; start < 13; start += 4) {
      const page = (await search(4, start)).body!;
      assert.equal(page.head?.docsReturn, Math.min(4, 13 - start));
      assert.equal(page.head?.docsFound, 13);
      paged.push(...page.auctions!.map((a) => a.picName));
    }
    assert.deepEqual(paged, full);
    const past = await search(10, 20);
    assert.deepEqual(past.body?.auctions, []);
    golden('SearchImageByPic', 'past-the-end', past);
  });

  test('ScoreThreshold (sent in the query) and DistinctProductId', async () => {
    const query = b64(await scene(13));
    const strict = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: query, crop: false, scoreThreshold: '0.99', num: 20 }));
    assert.deepEqual(strict.body?.auctions?.map((a) => a.picName), ['13.jpg']);
    assert.equal(strict.body?.head?.docsFound, 1);
    const all = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: query, crop: false, num: 20 }));
    const distinct = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: query, crop: false, num: 20, distinctProductId: true }));
    const ids = distinct.body!.auctions!.map((a) => a.productId);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 12);
    assert.equal(all.body!.auctions!.length, 13);
    assert.equal(distinct.body?.auctions?.[0].picName, '13.jpg', 'the best image of p1 is kept');
  });

  test('every filter operator selects the same images in SearchImageByPic and SearchImageByFilter', async () => {
    const cases: [string, (i: Item) => boolean][] = [
      ['int_attr=5', (i) => i.intAttr === 5],
      ['int_attr!=5', (i) => i.intAttr !== 5],
      ['int_attr>10', (i) => i.intAttr > 10],
      ['int_attr>=10', (i) => i.intAttr >= 10],
      ['int_attr<3', (i) => i.intAttr < 3],
      ['int_attr<=3', (i) => i.intAttr <= 3],
      ['int_attr in (1,2,3)', (i) => [1, 2, 3].includes(i.intAttr)],
      ['int_attr not in (1,2,3)', (i) => ![1, 2, 3].includes(i.intAttr)],
      ['str_attr="odd"', (i) => i.strAttr === 'odd'],
      ['str_attr!="odd"', (i) => i.strAttr !== 'odd'],
      ['str_attr2 in ("s1","s4","s13")', (i) => ['s1', 's4', 's13'].includes(i.strAttr2)],
      ['str_attr2 not in ("s1","s4")', (i) => !['s1', 's4'].includes(i.strAttr2)],
      ['int_attr>=2 AND int_attr<=6 AND str_attr="even"', (i) => i.intAttr >= 2 && i.intAttr <= 6 && i.strAttr === 'even'],
      ['int_attr2=0 OR str_attr2="s1"', (i) => i.intAttr2 === 0 || i.strAttr2 === 's1'],
      ['(int_attr<3 OR int_attr>11) AND str_attr="odd"', (i) => (i.intAttr < 3 || i.intAttr > 11) && i.strAttr === 'odd'],
      ['intAttr2 = 1 AND strAttr = "odd"', (i) => i.intAttr2 === 1 && i.strAttr === 'odd'],
      ['in(int_attr2, "1|2")', (i) => [1, 2].includes(i.intAttr2)],
    ];
    const query = b64(await scene(3));
    for (const [filter, keep] of cases) {
      const expected = ITEMS.filter(keep).map((i) => i.picName);
      const byFilter = await client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'gen', filter, num: 100 }));
      assert.deepEqual(byFilter.body?.auctions?.map((a) => a.picName), expected, `SearchImageByFilter ${filter}`);
      const byPic = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: query, crop: false, filter, num: 100 }));
      assert.deepEqual(byPic.body?.auctions?.map((a) => a.picName).sort(), [...expected].sort(), `SearchImageByPic ${filter}`);
      assert.equal(byPic.body?.head?.docsFound, expected.length, filter);
    }
  });

  test('an explicit Region is described and reported; Crop off describes the whole picture', async () => {
    const pic = b64(await scene(9));
    const region = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, region: '40,280,30,200', crop: false, num: 1 }));
    assert.equal(region.body?.picInfo?.region, '40,280,30,200');
    const whole = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, crop: false, num: 1 }));
    assert.equal(whole.body?.picInfo?.region, '0,320,0,240');
    assert.equal(whole.body?.auctions?.[0].picName, '9.jpg');
    assert.equal(whole.body?.auctions?.[0].score, 1);
    const cropped = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, num: 1 }));
    assert.ok(cropped.body?.picInfo?.region, 'Crop on still reports the box it described');
    golden('SearchImageByPic', 'region', region);
  });

  // ---- SearchImageByName, SearchImageByFilter, CheckImageExists

  test('SearchImageByName returns the indexed image first with Score 1', async () => {
    const res = await client.searchImageByName(new M.SearchImageByNameRequest({ instanceName: 'gen', productId: 'p4', picName: '4.jpg', num: 3 }));
    assert.equal(res.body?.auctions?.[0].picName, '4.jpg');
    assert.equal(res.body?.auctions?.[0].score, 1);
    assert.equal(res.body?.picInfo?.region, '0,320,0,240');
    golden('SearchImageByName', 'self-first', res);
  });

  test('SearchImageByFilter pages in insertion order, without scores', async () => {
    const res = await client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'gen', filter: 'int_attr>0', num: 3, start: 2 }));
    assert.deepEqual(res.body?.auctions?.map((a) => a.picName), ['3.jpg', '4.jpg', '5.jpg']);
    assert.equal(res.body?.msg, 'success');
    golden('SearchImageByFilter', 'page', res);
  });

  test('CheckImageExists answers one Auctions object, or Exists false', async () => {
    const yes = await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'gen', productId: 'p2', picName: '2.jpg' }));
    assert.equal(yes.body?.exists, true);
    assert.deepEqual([yes.body?.auctions?.productId, yes.body?.auctions?.intAttr, yes.body?.auctions?.strAttr2], ['p2', 2, 's2']);
    golden('CheckImageExists', 'exists', yes);
    const no = await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'gen', productId: 'p2', picName: 'nope.jpg' }));
    assert.equal(no.body?.exists, false);
    assert.equal(no.body?.auctions, undefined);
    assertGolden('aliyun/CheckImageExists.missing', { statusCode: no.statusCode, body: normalise(no.body!.toMap() as Json) });
  });

  // ---- UpdateImage, DeleteImage

  test('UpdateImage changes only the given attributes, including IntAttr3/StrAttr3 sent in the query', async () => {
    const res = await client.updateImage(new M.UpdateImageRequest({ instanceName: 'gen', productId: 'p3', picName: '3.jpg', intAttr3: -7, strAttr3: "红 a+b/c*d~'!(x)", customContent: 'updated' }));
    assert.deepEqual([res.body?.success, res.body?.message], [true, 'success']);
    golden('UpdateImage', 'ok', res);
    const a = (await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'gen', productId: 'p3', picName: '3.jpg' }))).body?.auctions;
    assert.deepEqual([a?.intAttr3, a?.strAttr3, a?.customContent, a?.intAttr, a?.strAttr], [-7, "红 a+b/c*d~'!(x)", 'updated', 3, 'odd']);
  });

  test('DeleteImage by key, by product and by filter; deleting nothing succeeds', async () => {
    for (const [pid, name, n] of [['d1', 'a.jpg', 1], ['d1', 'b.jpg', 2], ['d2', 'a.jpg', 3], ['d3', 'a.jpg', 4], ['d3', 'b.jpg', 4]] as const) {
      await client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: pid, picName: name, picContent: b64(await scene(40 + n + name.length)), categoryId: 0, intAttr: 500 + n, crop: false }));
    }
    const byKey = await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'shop', productId: 'd1', picName: 'a.jpg' }));
    assert.deepEqual(byKey.body?.data?.picNames, ['a.jpg']);
    golden('DeleteImage', 'by-key', byKey);
    const byProduct = await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'shop', productId: 'd1' }));
    assert.deepEqual(byProduct.body?.data?.picNames, ['b.jpg']);
    const byFilter = await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'shop', isDeleteByFilter: true, filter: 'int_attr>=503 AND int_attr<=504' }));
    assert.deepEqual(byFilter.body?.data?.picNames, ['a.jpg', 'a.jpg', 'b.jpg']);
    const nothing = await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'shop', productId: 'never-added' }));
    assert.deepEqual([nothing.body?.success, nothing.body?.data?.picNames], [true, []]);
    golden('DeleteImage', 'nothing', nothing);
  });

  // ---- CompareSimilarByImage, Detail

  test('CompareSimilarByImage: identical pictures score 1, a near copy more than another picture', async () => {
    const a = await scene(11);
    const same = await client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'gen', primaryPicContent: b64(a), secondaryPicContent: b64(a) }));
    assert.deepEqual([same.body?.success, same.body?.msg, same.body?.score], [true, 'success', 1]);
    golden('CompareSimilarByImage', 'identical', same);
    const near = await client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'gen', primaryPicContent: b64(a), secondaryPicContent: b64(await nearCopy(a)) }));
    const other = await client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'gen', primaryPicContent: b64(a), secondaryPicContent: b64(await scene(12)) }));
    assert.ok(near.body!.score! > other.body!.score!, `${near.body?.score} > ${other.body?.score}`);
  });

  test('Detail describes the instance', async () => {
    const res = await client.detail(new M.DetailRequest({ instanceName: 'gen' }));
    const i = res.body?.instance;
    assert.deepEqual([i?.name, i?.serviceType, i?.totalCount, i?.capacity, i?.region], ['gen', 1, 13, 100, 'cn-shanghai']);
    assert.match(i?.utcCreate ?? '', /^\d{13}$/);
    golden('Detail', 'generic', res);
    assert.equal((await client.detail(new M.DetailRequest({ instanceName: 'shop' }))).body?.instance?.serviceType, 0);
  });

  // ---- tasks

  test('DumpMeta exports in the background; DumpMetaList pages the tasks and links the file', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await client.dumpMeta(new M.DumpMetaRequest({ instanceName: 'gen' }));
      assert.equal(started.body?.success, true);
      assert.match(started.body?.data?.id ?? '', /^\d+$/);
      if (i === 0) golden('DumpMeta', 'started', started);
      ids.push(started.body!.data!.id!);
      await until(() => client.dumpMetaList(new M.DumpMetaListRequest({ instanceName: 'gen', id: Number(started.body!.data!.id) })),
        (r) => r.body?.data?.dumpMetaList?.[0]?.status === 'SUCCESS', 'the export');
    }
    const page = await client.dumpMetaList(new M.DumpMetaListRequest({ instanceName: 'gen', pageNumber: 2, pageSize: 2 }));
    assert.deepEqual([page.body?.data?.totalCount, page.body?.data?.pageNumber, page.body?.data?.pageSize], [3, 2, 2]);
    assert.deepEqual(page.body?.data?.dumpMetaList?.map((t) => t.id), [Number(ids[0])]);
    golden('DumpMetaList', 'page', page);
    const item = page.body!.data!.dumpMetaList![0];
    assert.deepEqual([item.code, item.msg], ['0', 'success']);
    const file = await fetch(item.metaUrl!);
    assert.equal(file.status, 200);
    const lines = (await file.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 13);
    assert.deepEqual([lines[0].ProductId, lines[0].PicName, lines[0].IntAttr, lines[0].Region], ['p1', '1.jpg', 1, '0,320,0,240']);
    const forged = await fetch(item.metaUrl!.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`));
    assert.equal(forged.status, 400);
    assert.equal(((await forged.json()) as { Code: string }).Code, 'SignatureDoesNotMatch');
  });

  test('IncreaseInstance applies increment.meta, calls back, and IncreaseList links the failed lines', async () => {
    const started = await client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'batch', bucketName: 'shop', path: '/batch', callbackAddress: callbackUrl }));
    assert.equal(started.body?.data?.incrementStatus, 'PROCESSING');
    golden('IncreaseInstance', 'started', started);
    const id = Number(started.body!.data!.id);
    const done = await until(() => client.increaseList(new M.IncreaseListRequest({ instanceName: 'batch', id })),
      (r) => r.body?.data?.increments?.instance?.[0]?.status !== 'PROCESSING', 'the increment');
    const item = done.body!.data!.increments!.instance![0];
    assert.deepEqual([item.status, item.code, item.bucketName, item.path, item.callbackAddress], ['SUCCESS', '0', 'shop', '/batch', callbackUrl]);
    assert.match(item.msg ?? '', /5 lines: 3 added, 1 deleted, 1 failed/);
    golden('IncreaseList', 'done', done);
    const errors = (await (await fetch(item.errorUrl!)).text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(errors.map((e) => [e.Line, e.ProductId, e.Code]), [[4, 'bad', 'Console.BadRequest']]);
    const detail = await client.detail(new M.DetailRequest({ instanceName: 'batch' }));
    assert.equal(detail.body?.instance?.totalCount, 2);
    await until(async () => callbacks.length, (n) => n > 0, 'the callback');
    assert.deepEqual([callbacks[0].InstanceName, callbacks[0].Id, callbacks[0].Status], ['batch', id, 'SUCCESS']);
    const filtered = await client.increaseList(new M.IncreaseListRequest({ instanceName: 'batch', bucketName: 'shop', path: '/elsewhere' }));
    assert.deepEqual(filtered.body?.data?.increments?.instance, []);
  });

  // ---- SearchImageByText

  test('SearchImageByText ranks by the words tusou knows of each image, with filters and typed results', async () => {
    assert.equal((await rest('/api/v1/instances', { name: 'txt', descriptor: DESCRIPTOR, index: 'flat' })).status, 201);
    await client.addImage(new M.AddImageRequest({ instanceName: 'txt', productId: 'txt-1', picName: 'summer-dress.jpg', picContent: b64(await scene(91)), customContent: 'red silk dress', intAttr: 501, crop: false }));
    await client.addImage(new M.AddImageRequest({ instanceName: 'txt', productId: 'txt-2', picName: 'scarf.jpg', picContent: b64(await scene(92)), customContent: 'red wool scarf', intAttr: 502, crop: false }));
    const res = await client.searchImageByText(new M.SearchImageByTextRequest({ instanceName: 'txt', text: 'red dress', num: 5 }));
    const auctions = res.body?.auctions ?? [];
    assert.equal(auctions[0]?.productId, 'txt-1');
    assert.ok((auctions[0]?.score ?? 0) > (auctions[1]?.score ?? 0) && (auctions[0]?.score ?? 0) < 1);
    assert.deepEqual([res.body?.success, res.body?.head?.docsReturn, res.body?.picInfo?.allCategories?.[0]?.id], [true, auctions.length, 88888888]);
    const filtered = await client.searchImageByText(new M.SearchImageByTextRequest({ instanceName: 'txt', text: 'red', filter: 'int_attr = 502' }));
    assert.deepEqual(filtered.body?.auctions?.map((a) => a.productId), ['txt-2']);
    await fails(client.searchImageByText(new M.SearchImageByTextRequest({ instanceName: 'txt', text: 'x'.repeat(513) })), { code: 'InvalidText', statusCode: 400 });
  });

  // ---- *Advance methods

  test('addImageAdvance uploads over HTTPS (trusting the server certificate through Config.ca) and indexes the picture', async () => {
    const trusted = makeClient(s, { ca: s.app.server!.tls.cert });
    const res = await trusted.addImageAdvance(new M.AddImageAdvanceRequest({
      instanceName: 'shop', productId: 'adv-1', picName: 'a.jpg', picContentObject: Readable.from([await scene(61)]), categoryId: 5, crop: false, intAttr: 61,
    }), new RuntimeOptions({}));
    assert.deepEqual([res.body?.success, res.body?.picInfo?.categoryId], [true, 5]);
    const check = await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'shop', productId: 'adv-1', picName: 'a.jpg' }));
    assert.equal(check.body?.auctions?.intAttr, 61);
    assert.deepEqual(await readdir(join(s.dataDir, 'uploads')), [], 'the temporary upload is deleted after use');
  });

  test('the whole API also answers over HTTPS on the same port (protocol https + Config.ca)', async () => {
    const secure = makeClient(s, { protocol: 'https', ca: s.app.server!.tls.cert });
    assert.equal((await secure.detail(new M.DetailRequest({ instanceName: 'gen' }))).body?.instance?.totalCount, 13);
    const found = await secure.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: b64(await scene(2)), crop: false, num: 1 }));
    assert.equal(found.body?.auctions?.[0].picName, '2.jpg');
  });

  test('searchImageByPicAdvance and compareSimilarByImageAdvance work with ignoreSSL', async () => {
    const runtime = new RuntimeOptions({ ignoreSSL: true });
    const found = await client.searchImageByPicAdvance(new M.SearchImageByPicAdvanceRequest({ instanceName: 'gen', picContentObject: Readable.from([await scene(6)]), crop: false, num: 2, scoreThreshold: '0.5' }), runtime);
    assert.equal(found.body?.auctions?.[0].picName, '6.jpg');
    const pic = await scene(8);
    const compared = await client.compareSimilarByImageAdvance(new M.CompareSimilarByImageAdvanceRequest({
      instanceName: 'gen', primaryPicContentObject: Readable.from([pic]), secondaryPicContentObject: Readable.from([pic]),
    }), runtime);
    assert.equal(compared.body?.score, 1);
    assert.deepEqual(await readdir(join(s.dataDir, 'uploads')), []);
  });

  test('the upload leg refuses an oversize picture, and an untrusted certificate fails TLS', async () => {
    const big = Readable.from([randomBytes(4 * 1024 * 1024 + 1)]);
    // The SDK reads the upload leg's XML error; it carries the HTTP status in data.httpCode, not statusCode.
    const err = await fails(client.addImageAdvance(new M.AddImageAdvanceRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContentObject: big }), new RuntimeOptions({ ignoreSSL: true })),
      { code: 'InvalidPicContent', statusCode: undefined });
    assert.equal(err.data.httpCode, 400);
    await assert.rejects(
      client.addImageAdvance(new M.AddImageAdvanceRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContentObject: Readable.from([await scene(1)]) }), new RuntimeOptions({})),
      /self.signed|certificate/i,
    );
  });

  test('an upload URL serves once: reusing it is InvalidPicUrl', async () => {
    const grant = await client.callApi(
      new $OpenApiUtil.Params({ action: 'AuthorizeFileUpload', version: '2019-12-19', protocol: 'HTTP', pathname: '/', method: 'GET', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' }),
      new $OpenApiUtil.OpenApiRequest({ query: { Product: 'ImageSearch', RegionId: 'cn-shanghai' } }),
      new RuntimeOptions({}),
    ) as { body: Record<string, string | boolean> };
    assert.equal(grant.body.UseAccelerate, false);
    const url = `http://${grant.body.Bucket}.${grant.body.Endpoint}/${grant.body.ObjectKey}`;
    assert.equal(url.startsWith(`http://${new URL(s.url).host}/tusou-upload/`), true);
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: url })), { code: 'InvalidPicUrl', statusCode: 400 });
  });

  // ---- legacy signature

  test('the legacy HMAC-SHA1 signature (signatureAlgorithm v2) works for body, query and special characters', async () => {
    const v2 = makeClient(s, { signatureAlgorithm: 'v2' });
    await v2.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'v2 p+1', picName: "a*b'(c).jpg", picContent: b64(await scene(71)), categoryId: 1, strAttr: 'x y*z', crop: false }));
    const found = await v2.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'shop', picContent: b64(await scene(71)), categoryId: 1, filter: 'str_attr="x y*z"', scoreThreshold: '0.5', crop: false }));
    assert.deepEqual(found.body?.auctions?.map((a) => [a.productId, a.picName]), [['v2 p+1', "a*b'(c).jpg"]]);
    await v2.updateImage(new M.UpdateImageRequest({ instanceName: 'shop', productId: 'v2 p+1', picName: "a*b'(c).jpg", strAttr4: '红 ~!' }));
    assert.equal((await v2.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'shop', productId: 'v2 p+1', picName: "a*b'(c).jpg" }))).body?.auctions?.strAttr4, '红 ~!');
    assert.equal((await v2.detail(new M.DetailRequest({ instanceName: 'shop' }))).body?.instance?.name, 'shop');
    await fails(makeClient(s, { signatureAlgorithm: 'v2', accessKeySecret: 'wrong' }).detail(new M.DetailRequest({ instanceName: 'shop' })), { code: 'SignatureDoesNotMatch', statusCode: 400 });
  });

  /** A request signed by hand with the legacy RPC recipe (§6.4), as older clients send it. */
  async function rpcFetch(method: 'GET' | 'POST', query: Record<string, string>, form: Record<string, string> = {}): Promise<Response> {
    const pct = (x: string) => encodeURIComponent(x).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
    const q: Record<string, string> = {
      Version: '2020-12-14', Format: 'json', AccessKeyId: AK, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
      SignatureNonce: randomBytes(16).toString('hex'), Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), ...query,
    };
    const pairs = [...Object.entries(q), ...Object.entries(form)].map(([k, v]) => [pct(k), pct(v)]).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
    const canonical = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    const signature = createHmac('sha1', `${SECRET}&`).update(`${method}&%2F&${pct(canonical)}`).digest('base64');
    const qs = Object.entries(q).map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
    const body = Object.keys(form).length ? new URLSearchParams(form).toString() : undefined;
    return fetch(`${s.url}/?${qs}&Signature=${pct(signature)}`, { method, body, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} });
  }

  test('a GET with Action and Version in the query (older RPC clients) is routed and verified', async () => {
    const res = await rpcFetch('GET', { Action: 'Detail', InstanceName: 'gen' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { Success: boolean; Instance: { Name: string; TotalCount: number } };
    assert.deepEqual([body.Success, body.Instance.Name, body.Instance.TotalCount], [true, 'gen', 13]);
    const plain = await fetch(`${s.url}/`, { redirect: 'manual' });
    assert.equal(plain.status, 200, 'GET / without an action still belongs to the web console');
    assert.match(plain.headers.get('content-type') ?? '', /text\/html/);
  });

  test('a parameter in both the query and the form body takes the body value', async () => {
    const res = await rpcFetch('POST', { Action: 'CheckImageExists', InstanceName: 'nope', PicName: '2.jpg' }, { InstanceName: 'gen', ProductId: 'p2' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { Exists: boolean; Auctions: { ProductId: string } };
    assert.deepEqual([body.Exists, body.Auctions.ProductId], [true, 'p2']);
  });

  test('unknown actions are InvalidApi.NotFound (404); other API versions are InvalidVersion', async () => {
    const call = (action: string, version: string) => client.callApi(
      new $OpenApiUtil.Params({ action, version, protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' }),
      new $OpenApiUtil.OpenApiRequest({ query: { InstanceName: 'gen' } }),
      new RuntimeOptions({}),
    );
    await fails(call('NoSuchAction', '2020-12-14'), { code: 'InvalidApi.NotFound', statusCode: 404 }, 'Error.unknown-action');
    await fails(call('addImage', '2020-12-14'), { code: 'InvalidApi.NotFound', statusCode: 404 });
    await fails(call('Detail', '2019-03-25'), { code: 'InvalidVersion', statusCode: 400 });
  });

  test('unknown instances: InvalidInstance on data actions, Console.InstanceNotFound on control actions and CompareSimilarByImage', async () => {
    const pic = b64(await scene(1));
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'nope', picContent: pic })), { code: 'InvalidInstance', statusCode: 400 }, 'SearchImageByPic.unknown-instance');
    await fails(client.detail(new M.DetailRequest({ instanceName: 'nope' })), { code: 'Console.InstanceNotFound', statusCode: 400 }, 'Detail.unknown-instance');
    await fails(client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'nope', primaryPicContent: pic, secondaryPicContent: pic })), { code: 'Console.InstanceNotFound', statusCode: 400 });
    await fails(client.dumpMetaList(new M.DumpMetaListRequest({ instanceName: 'nope' })), { code: 'Console.InstanceNotFound', statusCode: 400 });
    await fails(client.addImage(new M.AddImageRequest({ productId: 'p', picName: 'n', picContent: pic })), { code: 'InvalidInstanceName', statusCode: 400 });
  });

  test('missing images: PicNotExist', async () => {
    await fails(client.searchImageByName(new M.SearchImageByNameRequest({ instanceName: 'gen', productId: 'p1', picName: 'missing.jpg' })), { code: 'PicNotExist', statusCode: 400 }, 'SearchImageByName.missing-image');
    await fails(client.updateImage(new M.UpdateImageRequest({ instanceName: 'gen', productId: 'p1', picName: 'missing.jpg', intAttr: 1 })), { code: 'PicNotExist', statusCode: 400 });
  });

  test('bad filters: InvalidFilterClause for syntax and type errors', async () => {
    await fails(client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'gen', filter: 'int_attr >> 3' })), { code: 'InvalidFilterClause', statusCode: 400 }, 'SearchImageByFilter.bad-filter');
    await fails(client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'gen', filter: 'str_attr > "a"' })), { code: 'InvalidFilterClause', statusCode: 400 });
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: b64(await scene(1)), filter: 'int_attr = "x"' })), { code: 'InvalidFilterClause', statusCode: 400 });
    await fails(client.deleteImage(new M.DeleteImageRequest({ instanceName: 'gen', isDeleteByFilter: true })), { code: 'InvalidFilterClause', statusCode: 400 });
  });

  test('pictures: oversize, missing, undecodable, unsupported format, bad Region, URLs not issued here', async () => {
    const oversize = b64(randomBytes(4 * 1024 * 1024 + 1));
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContent: oversize })), { code: 'InvalidPicContent', statusCode: 400 }, 'AddImage.oversize-picture');
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: b64(randomBytes(6 * 1024 * 1024)) })), { code: 'BadRequest', statusCode: 400 }, 'SearchImageByPic.body-too-large');
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen' })), { code: 'NoSpecifiedPicContent', statusCode: 400 });
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContent: b64(Buffer.from('\xff\xd8\xff not really a jpeg', 'latin1')) })), { code: 'InvalidPicContent', statusCode: 400 });
    const bmp = b64(Buffer.concat([Buffer.from('BM'), randomBytes(200)]));
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContent: bmp })), { code: 'UnsupportedPicFormat', statusCode: 400 });
    await fails(client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'gen', primaryPicContent: bmp, secondaryPicContent: bmp })), { code: 'UnsupportedPictureFormat', statusCode: 400 }, 'CompareSimilarByImage.unsupported-format');
    await fails(client.compareSimilarByImage(new M.CompareSimilarByImageRequest({ instanceName: 'gen', primaryPicContent: b64(await scene(1)) })), { code: 'InvalidSecondaryPicContent', statusCode: 400 });
    const pic = b64(await scene(1));
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContent: pic, region: '10,5,0,100' })), { code: 'RegionError', statusCode: 400 }, 'AddImage.bad-region');
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, region: '0,400,0,100' })), { code: 'InvalidRegion', statusCode: 400 });
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'shop', productId: 'x', picName: 'x', picContent: pic, categoryId: 10 })), { code: 'InvalidCategory', statusCode: 400 });
    await fails(client.addImage(new M.AddImageRequest({ instanceName: 'gen', productId: 'x', picName: 'x', picContent: 'http://example.com/a.jpg' })), { code: 'InvalidPicUrl', statusCode: 400 });
  });

  test('paging limits: OverflowMaxReturnNum, OverflowMaxResultNum, InvalidStartParameter; task pages: Console.BadRequest', async () => {
    const pic = b64(await scene(1));
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, num: 101 })), { code: 'OverflowMaxReturnNum', statusCode: 400 });
    await fails(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'gen', picContent: pic, num: 100, start: 450 })), { code: 'OverflowMaxResultNum', statusCode: 400 });
    await fails(client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'gen', filter: 'int_attr>0', start: 500 })), { code: 'InvalidStartParameter', statusCode: 400 });
    await fails(client.dumpMetaList(new M.DumpMetaListRequest({ instanceName: 'gen', pageSize: 501 })), { code: 'Console.BadRequest', statusCode: 400 });
    await fails(client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'batch', bucketName: 'shop', path: '/../etc' })), { code: 'Console.BadRequest', statusCode: 400 }, 'IncreaseInstance.bad-path');
  });
});

describe('the SDK against a server whose clock is an hour ahead', () => {
  test('every request is InvalidTimeStamp.Expired', async () => {
    const s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET }, undefined, { now: () => Date.now() + 3600_000 });
    try {
      await fails(makeClient(s).detail(new M.DetailRequest({ instanceName: 'gen' })), { code: 'InvalidTimeStamp.Expired', statusCode: 400 }, 'Error.timestamp-expired');
      await fails(makeClient(s, { signatureAlgorithm: 'v2' }).detail(new M.DetailRequest({ instanceName: 'gen' })), { code: 'InvalidTimeStamp.Expired', statusCode: 400 });
    } finally {
      await s.close();
    }
  });
});

describe('the SDK with picture URL fetching enabled', () => {
  test('PicContent may be an http URL (here a private address, allowed by TUSOU_FETCH_PRIVATE_URLS)', async () => {
    const pic = await scene(31);
    const files = http.createServer((req, res) => (req.url === '/pic.jpg' ? res.end(pic) : res.writeHead(404).end()));
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    const s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_FETCH_URLS: 'true', TUSOU_FETCH_PRIVATE_URLS: 'true' });
    try {
      await s.api('/api/v1/instances', { method: 'POST', json: { name: 'web', descriptor: DESCRIPTOR }, headers: REST_AUTH });
      const client = makeClient(s);
      await client.addImage(new M.AddImageRequest({ instanceName: 'web', productId: 'w', picName: 'pic.jpg', picContent: `${url}/pic.jpg`, crop: false }));
      const found = await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'web', picContent: b64(pic), crop: false }));
      assert.equal(found.body?.auctions?.[0].score, 1);
      await fails(client.addImage(new M.AddImageRequest({ instanceName: 'web', productId: 'w', picName: 'x', picContent: `${url}/missing.jpg` })), { code: 'InvalidPicUrl', statusCode: 400 });
    } finally {
      await s.close();
      files.closeAllConnections();
      await new Promise<void>((r) => files.close(() => r()));
    }
  });
});
