import sdk from '@alicloud/imagesearch20201214';
import dara from '@darabonba/typescript';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageRecord, Task } from '../../domain/index.js';
import type { InstanceDetail, SearchResult } from '../../engine/index.js';
import {
  OK_MESSAGE, OK_MSG, auctionJson, dumpTaskJson, headJson, incrementTaskJson, instanceJson, picInfoJson, scoredAuctionJson,
} from './wire.js';

const image: ImageRecord = {
  label: 7, productId: 'p-1', picName: 'a.jpg', categoryId: 0, intAttr: -5, intAttr2: 2, intAttr3: 0, intAttr4: 4,
  strAttr: 'a', strAttr2: '', strAttr3: 'c', strAttr4: '', customContent: 'k:v',
  region: { x1: 10, y1: 20, x2: 110, y2: 220 }, regions: [{ box: { x1: 10, y1: 20, x2: 110, y2: 220 }, label: 'cup', score: 0.7 }],
  width: 320, height: 240, format: 'jpeg', sha256: 'x', bytes: 1, createdAt: 1, updatedAt: 2,
};
const result: SearchResult = {
  docsFound: 37, hits: [{ image, score: 0.875, distance: 0.125 }],
  query: { categoryId: 0, region: image.region, regions: image.regions, width: 320, height: 240 },
  timings: { total: 12.6 },
};
const task: Task = {
  id: 12, instance: 'demo', kind: 'increment', status: 'FAIL', message: 'all 2 lines failed', error: { code: 'INCREMENT_ALL_FAILED', aliyun: 'InvalidMetaItem' },
  source: { bucketName: 'b', path: '/x' }, files: { errors: 'errors.ndjson' }, counts: { items: 2, added: 0, deleted: 0, failed: 2 },
  createdAt: 1629095713000, updatedAt: 1629095760000,
};

/** Cast wire JSON into the SDK 4.4.0 model the way the SDK does; throws on a type mismatch (§6.6). */
function asSdk<T>(Model: new (map?: Record<string, unknown>) => T, json: unknown): T {
  return dara.cast<T>(JSON.parse(JSON.stringify(json)) as Record<string, unknown>, new Model({}));
}

describe('wire JSON has the exact types the SDK models cast', () => {
  test('SearchImageByPic: Head, Auctions[] with Score and SortExprValues, PicInfo with the category table', () => {
    const body = { RequestId: 'R', ...OK_MSG, Head: headJson(result), Auctions: result.hits.map(scoredAuctionJson), PicInfo: picInfoJson('product', result.query) };
    const m = asSdk(sdk.SearchImageByPicResponseBody, body);
    assert.deepEqual([m.head?.docsFound, m.head?.docsReturn, m.head?.searchTime], [37, 1, 13]);
    assert.equal(m.auctions?.[0].score, 0.875);
    assert.equal(m.auctions?.[0].sortExprValues, '0.875;0');
    assert.equal(m.auctions?.[0].intAttr, -5);
    assert.equal(m.picInfo?.region, '10,110,20,220');
    assert.equal(m.picInfo?.multiRegion?.[0].region, '10,110,20,220');
    assert.equal(m.picInfo?.allCategories?.length, 14);
    assert.equal(m.msg, 'success');
  });

  test('the cast used here does refuse a wrong shape (an object where an array belongs)', () => {
    assert.throws(() => asSdk(sdk.SearchImageByPicResponseBody, { RequestId: 'R', Auctions: auctionJson(image) }), /mismatch/);
  });

  test('generic instances list only "other" (88888888); MultiRegion falls back to the region used', () => {
    const info = picInfoJson('generic', { ...result.query, regions: [] });
    assert.deepEqual(info.AllCategories, [{ Id: 88888888, Name: 'other' }]);
    assert.deepEqual(info.MultiRegion, [{ Region: '10,110,20,220' }]);
  });

  test('CheckImageExists: Auctions is one object', () => {
    const m = asSdk(sdk.CheckImageExistsResponseBody, { RequestId: 'R', ...OK_MSG, Exists: true, Auctions: auctionJson(image) });
    assert.equal(m.auctions?.productId, 'p-1');
    assert.equal(m.exists, true);
  });

  test('AddImage and UpdateImage say Message; search actions say Msg', () => {
    assert.equal(asSdk(sdk.UpdateImageResponseBody, { RequestId: 'R', ...OK_MESSAGE }).message, 'success');
    assert.equal(asSdk(sdk.AddImageResponseBody, { RequestId: 'R', ...OK_MESSAGE, PicInfo: picInfoJson('generic', result.query) }).picInfo?.categoryId, 0);
  });

  test('Detail: Capacity in units of 10 000, times as strings', () => {
    const d: InstanceDetail = {
      name: 'demo', serviceType: 'generic', capacity: 25_000, descriptor: 'd', metric: 'cosine', index: 'flat', createdAt: 1620382716000,
      imageCount: 3, categories: [], vector: { kind: 'float', dim: 4 },
    };
    const m = asSdk(sdk.DetailResponseBody, { RequestId: 'R', Success: true, Instance: instanceJson(d, 'cn-hangzhou') });
    assert.deepEqual(
      [m.instance?.capacity, m.instance?.serviceType, m.instance?.totalCount, m.instance?.utcCreate, m.instance?.region],
      [3, 1, 3, '1620382716000', 'cn-hangzhou'],
    );
  });

  test('DumpMeta Data.Id is a string; list items have a numeric Id, string Code and UtcCreate, numeric UtcModified', () => {
    const dm = asSdk(sdk.DumpMetaResponseBody, { RequestId: 'R', Success: true, Data: { Id: String(task.id), DumpMetaStatus: 'PROCESSING' } });
    assert.equal(dm.data?.id, '12');
    const list = asSdk(sdk.DumpMetaListResponseBody, { RequestId: 'R', Data: { PageNumber: 1, PageSize: 10, TotalCount: 1, DumpMetaList: [dumpTaskJson({ ...task, status: 'SUCCESS', error: undefined }, 'http://h/f')] } });
    const item = list.data?.dumpMetaList?.[0];
    assert.deepEqual([item?.id, item?.code, item?.utcCreate, item?.utcModified, item?.metaUrl], [12, '0', '1629095713000', 1629095760000, 'http://h/f']);
  });

  test('IncreaseList nests items under Increments.Instance[], a failed task carries its code', () => {
    const m = asSdk(sdk.IncreaseListResponseBody, { RequestId: 'R', Data: { PageNumber: 1, PageSize: 10, TotalCount: 1, Increments: { Instance: [incrementTaskJson(task, 'http://h/e')] } } });
    const item = m.data?.increments?.instance?.[0];
    assert.deepEqual([item?.id, item?.status, item?.code, item?.bucketName, item?.path, item?.callbackAddress, item?.errorUrl], [12, 'FAIL', 'InvalidMetaItem', 'b', '/x', '', 'http://h/e']);
  });
});
