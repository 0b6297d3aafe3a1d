// Domain → Alibaba wire JSON (PascalCase), with the exact JSON types the SDK 4.4.0 models cast
// (aliyun-imagesearch-api.md §3, §6.6): numbers stay numbers, strings stay strings, and the
// deliberate mixes (DumpMeta Data.Id string, list item Id number, UtcCreate string,
// UtcModified number) are kept. Request parameters (strings) are read here too.

import {
  categoriesOf, formatRegion, type ImageRecord, type ServiceType, type Task,
} from '../../domain/index.js';
import type { InstanceDetail, SearchHit, SearchResult } from '../../engine/index.js';

/** Request parameters: the query string merged with the form body (the body wins). */
export type Params = Readonly<Record<string, string>>;

/** Detail.Instance.ServiceType codes (§2.4): 0 product search, 1 generic search; the cloud has no face type, and a face instance behaves as generic (category 88888888), so it reports 1. */
export const SERVICE_TYPE_CODE: Record<ServiceType, number> = { product: 0, generic: 1, face: 1 };

/** Self-hosted instances do not expire; reported as 9999-12-31T23:59:59Z. */
export const NEVER_EXPIRES_MS = '253402300799000';

/** Success status fields; the casing differs by action (§2.2). */
export const OK_MESSAGE = Object.freeze({ Success: true, Code: 0, Message: 'success' });
export const OK_MSG = Object.freeze({ Success: true, Code: 0, Msg: 'success' });

/** The attributes every image carries on the wire (CheckImageExists, SearchImageByFilter). */
export function auctionJson(r: ImageRecord) {
  return {
    ProductId: r.productId,
    PicName: r.picName,
    CategoryId: r.categoryId,
    CustomContent: r.customContent,
    IntAttr: r.intAttr, IntAttr2: r.intAttr2, IntAttr3: r.intAttr3, IntAttr4: r.intAttr4,
    StrAttr: r.strAttr, StrAttr2: r.strAttr2, StrAttr3: r.strAttr3, StrAttr4: r.strAttr4,
  };
}

/**
 * A search hit: the attributes plus Score (0..1, 1 = identical) and the deprecated
 * SortExprValues `"<score>;0"` (§2.11; its second part is undocumented).
 */
export function scoredAuctionJson(h: SearchHit) {
  const { ProductId, PicName, CategoryId, CustomContent, ...attrs } = auctionJson(h.image);
  return { ProductId, PicName, CategoryId, CustomContent, Score: h.score, SortExprValues: `${h.score};0`, ...attrs };
}

/** PicInfo.AllCategories: the service type's category table in the cloud's order. */
export function allCategoriesJson(serviceType: ServiceType) {
  return categoriesOf(serviceType).map((c) => ({ Id: c.id, Name: c.name }));
}

/**
 * PicInfo of a search or add: the category used, the region described and every detected region.
 * Without detections MultiRegion holds the region used, so it is never empty.
 */
export function picInfoJson(serviceType: ServiceType, q: SearchResult['query']) {
  const region = formatRegion(q.region);
  const multi = q.regions.length ? q.regions.map((r) => ({ Region: formatRegion(r.box) })) : [{ Region: region }];
  return { CategoryId: q.categoryId, Region: region, MultiRegion: multi, AllCategories: allCategoriesJson(serviceType) };
}

/** Head: DocsReturn = results in this answer, DocsFound = candidates that matched (§2.13). */
export function headJson(r: SearchResult) {
  return { DocsReturn: r.hits.length, DocsFound: r.docsFound, SearchTime: Math.max(0, Math.round(r.timings.total ?? 0)) };
}

/** Detail.Instance; Capacity is in units of 10 000 images, the times are strings of epoch ms. */
export function instanceJson(d: InstanceDetail, region: string) {
  return {
    Name: d.name,
    Region: region,
    ServiceType: SERVICE_TYPE_CODE[d.serviceType],
    Capacity: Math.ceil(d.capacity / 10_000),
    // The instance's QPS limit (TUSOU_QPS_PER_INSTANCE / TUSOU_INSTANCE_QPS); 0 means "not limited".
    Qps: 0,
    TotalCount: d.imageCount,
    UtcCreate: String(d.createdAt),
    UtcExpireTime: NEVER_EXPIRES_MS,
  };
}

/** A task's Code (string "0" on success) and Msg. */
function taskStatusJson(t: Task) {
  return { Code: t.status === 'FAIL' ? (t.error?.aliyun ?? 'InternalError') : '0', Msg: t.message };
}

/** A DumpMetaList item; MetaUrl is empty until the export exists. */
export function dumpTaskJson(t: Task, metaUrl: string) {
  return { Id: t.id, Status: t.status, ...taskStatusJson(t), MetaUrl: metaUrl, UtcCreate: String(t.createdAt), UtcModified: t.updatedAt };
}

/** An IncreaseList item; ErrorUrl is empty when no line failed. */
export function incrementTaskJson(t: Task, errorUrl: string) {
  return {
    Id: t.id, Status: t.status, ...taskStatusJson(t),
    BucketName: t.source?.bucketName ?? '', Path: t.source?.path ?? '', CallbackAddress: t.source?.callbackAddress ?? '',
    ErrorUrl: errorUrl, UtcCreate: String(t.createdAt), UtcModified: t.updatedAt,
  };
}

/** The value of a parameter, or undefined when absent or empty (the SDK omits unset ones). */
export function param(p: Params, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The eight attributes and CustomContent of a request, camelCased for the engine. */
export function attributeParams(p: Params) {
  return {
    intAttr: param(p, 'IntAttr'), intAttr2: param(p, 'IntAttr2'), intAttr3: param(p, 'IntAttr3'), intAttr4: param(p, 'IntAttr4'),
    // String attributes may legitimately be set to "" (UpdateImage clearing a value).
    strAttr: p.StrAttr, strAttr2: p.StrAttr2, strAttr3: p.StrAttr3, strAttr4: p.StrAttr4,
    customContent: p.CustomContent,
  };
}

/** Search options shared by the search actions. */
export function searchParams(p: Params) {
  return {
    num: param(p, 'Num'),
    start: param(p, 'Start'),
    filter: param(p, 'Filter'),
    scoreThreshold: param(p, 'ScoreThreshold'),
    distinctProductId: param(p, 'DistinctProductId'),
    categoryId: param(p, 'CategoryId'),
  };
}
