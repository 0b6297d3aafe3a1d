// The documented example responses of aliyun-imagesearch-api.md (§3, §5.1), as JSON. Golden
// responses must have every key of the matching example with the same JSON type.

import assert from 'node:assert/strict';

const CATEGORIES = [{ Id: 0, Name: 'Tops' }];
const PIC_INFO = { CategoryId: 0, Region: '219,486,143,505', MultiRegion: [{ Region: '219,486,143,505' }], AllCategories: CATEGORIES };
const ATTRS = {
  ProductId: 'p-1', PicName: 'p-1_a.jpg', CategoryId: 0, CustomContent: 'k1:v1',
  IntAttr: 1, IntAttr2: 2, IntAttr3: 3, IntAttr4: 4, StrAttr: 'a', StrAttr2: 'b', StrAttr3: 'c', StrAttr4: 'd',
};
const SEARCH = {
  RequestId: 'R', Success: true, Code: 0, Msg: 'success',
  Head: { DocsReturn: 1, DocsFound: 3774, SearchTime: 12 },
  Auctions: [{ ...ATTRS, Score: 0.93, SortExprValues: '0.93;0' }],
  PicInfo: PIC_INFO,
};

/** Action → documented example body. */
export const SPEC_EXAMPLES: Record<string, unknown> = {
  AddImage: { RequestId: 'R', Success: true, Code: 0, Message: 'success', PicInfo: { CategoryId: 88888888, Region: '94,691,206,650', MultiRegion: [{ Region: '94,691,206,650' }], AllCategories: CATEGORIES } },
  SearchImageByPic: SEARCH,
  SearchImageByName: SEARCH,
  SearchImageByFilter: { RequestId: 'R', Success: true, Code: 0, Msg: 'success', Auctions: [ATTRS] },
  CheckImageExists: { RequestId: 'R', Success: true, Code: 0, Msg: 'success', Exists: true, Auctions: ATTRS },
  DeleteImage: { RequestId: 'R', Success: true, Code: 0, Message: 'success', Data: { PicNames: ['p-1_a.jpg'] } },
  UpdateImage: { RequestId: 'R', Success: true, Code: 0, Message: 'success' },
  CompareSimilarByImage: { RequestId: 'R', Success: true, Code: 0, Msg: 'success', Score: 0.85 },
  Detail: { RequestId: 'R', Success: true, Instance: { Name: 'demo', Region: 'cn-shanghai', ServiceType: 0, Capacity: 10, Qps: 1, TotalCount: 10063, UtcCreate: '1620382716000', UtcExpireTime: '1623081600000' } },
  DumpMeta: { RequestId: 'R', Success: true, Data: { Id: '500', DumpMetaStatus: 'PROCESSING' } },
  DumpMetaList: { RequestId: 'R', Data: { PageNumber: 1, PageSize: 10, TotalCount: 15, DumpMetaList: [{ Id: 500, Status: 'SUCCESS', Code: '0', Msg: 'success', MetaUrl: 'https://x', UtcCreate: '1629095713000', UtcModified: 1629095760000 }] } },
  IncreaseInstance: { RequestId: 'R', Success: true, Data: { Id: '501', IncrementStatus: 'PROCESSING' } },
  IncreaseList: { RequestId: 'R', Data: { PageNumber: 1, PageSize: 10, TotalCount: 1, Increments: { Instance: [{ Id: 501, Status: 'SUCCESS', Code: '0', Msg: 'success', BucketName: 'b', Path: '/x', CallbackAddress: '', ErrorUrl: 'https://x', UtcCreate: '1629095713000', UtcModified: 1629095760000 }] } } },
  Error: { RequestId: 'R', HostId: 'imagesearch.cn-shanghai.aliyuncs.com', Code: 'InvalidCategory', Message: 'The specified category is invalid.' },
};

const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/**
 * Assert `actual` has every key of `example`, recursively, with the same JSON type (arrays: the
 * first elements are compared when both have one).
 */
export function assertShape(actual: unknown, example: unknown, path = '$'): void {
  assert.equal(kind(actual), kind(example), `${path}: ${kind(actual)} where the spec example has ${kind(example)}`);
  if (Array.isArray(example) && Array.isArray(actual)) {
    if (example.length && actual.length) assertShape(actual[0], example[0], `${path}[0]`);
    return;
  }
  if (kind(example) === 'object') {
    const a = actual as Record<string, unknown>;
    for (const [k, v] of Object.entries(example as Record<string, unknown>)) {
      assert.ok(k in a, `${path}.${k} is missing (the spec example has it)`);
      assertShape(a[k], v, `${path}.${k}`);
    }
  }
}
