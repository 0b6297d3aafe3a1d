// Domain → REST JSON (camelCase). The internal label never leaves the engine.

import type { ImageRecord } from '../../domain/index.js';
import type { InstanceDetail, SearchResult } from '../../engine/index.js';

export function imageJson(r: ImageRecord) {
  return {
    productId: r.productId,
    picName: r.picName,
    categoryId: r.categoryId,
    intAttr: r.intAttr, intAttr2: r.intAttr2, intAttr3: r.intAttr3, intAttr4: r.intAttr4,
    strAttr: r.strAttr, strAttr2: r.strAttr2, strAttr3: r.strAttr3, strAttr4: r.strAttr4,
    customContent: r.customContent,
    region: r.region,
    regions: r.regions,
    width: r.width,
    height: r.height,
    format: r.format,
    bytes: r.bytes,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export function instanceJson(i: InstanceDetail) {
  return { ...i, createdAt: new Date(i.createdAt).toISOString() };
}

export function searchJson(r: SearchResult) {
  return {
    docsFound: r.docsFound,
    docsReturned: r.hits.length,
    query: r.query,
    hits: r.hits.map((h) => ({ ...imageJson(h.image), score: h.score, distance: h.distance, ...(h.region ? { matchedRegion: h.region } : {}), ...(h.match ? { match: h.match } : {}) })),
    timingsMs: Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  };
}
