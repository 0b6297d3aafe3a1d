// The cloud's batch file format (aliyun-imagesearch-api.md §4): one JSON object per line with
// PascalCase keys. `increment.meta` lines are read here; exports are written in the same format
// (without OperationType, which defaults to ADD), so an export can be imported again.

import { TusouError, formatRegion, type ImageRecord } from '../domain/index.js';

/** One parsed line of `increment.meta`; values are validated later by the engine operation. */
export interface MetaItem {
  operation: 'ADD' | 'DELETE';
  productId: unknown;
  picName: unknown;
  categoryId?: unknown;
  intAttr?: unknown; intAttr2?: unknown; intAttr3?: unknown; intAttr4?: unknown;
  strAttr?: unknown; strAttr2?: unknown; strAttr3?: unknown; strAttr4?: unknown;
  customContent?: unknown;
  region?: unknown;
  crop?: unknown;
}

const FIELDS: Record<string, keyof MetaItem> = {
  ProductId: 'productId', PicName: 'picName', CategoryId: 'categoryId',
  IntAttr: 'intAttr', IntAttr2: 'intAttr2', IntAttr3: 'intAttr3', IntAttr4: 'intAttr4',
  StrAttr: 'strAttr', StrAttr2: 'strAttr2', StrAttr3: 'strAttr3', StrAttr4: 'strAttr4',
  CustomContent: 'customContent', Region: 'region', Crop: 'crop',
};

/** Longest line accepted; a line is one image's metadata, so 64 KiB is generous. */
export const MAX_META_LINE = 64 * 1024;

/**
 * Parse one line: exactly one JSON object (several objects on a line fail, as in the cloud).
 * @throws INCREMENT_LINE_INVALID naming the line and the problem
 */
export function parseMetaLine(text: string, line: number): MetaItem {
  if (text.length > MAX_META_LINE) throw new TusouError('INCREMENT_LINE_INVALID', { line, reason: `it is ${text.length} characters; the limit is ${MAX_META_LINE}` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TusouError('INCREMENT_LINE_INVALID', { line, reason: 'it is not exactly one JSON object' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TusouError('INCREMENT_LINE_INVALID', { line, reason: 'it must be a JSON object' });
  }
  const obj = value as Record<string, unknown>;
  const op = obj.OperationType ?? 'ADD';
  const operation = typeof op === 'string' ? op.toUpperCase() : '';
  if (operation !== 'ADD' && operation !== 'DELETE') {
    throw new TusouError('INCREMENT_LINE_INVALID', { line, reason: `OperationType must be ADD or DELETE; got ${JSON.stringify(op).slice(0, 40)}` });
  }
  const item: MetaItem = { operation, productId: undefined, picName: undefined };
  for (const [key, field] of Object.entries(FIELDS)) {
    if (obj[key] !== undefined && obj[key] !== null) (item as unknown as Record<string, unknown>)[field] = typeof obj[key] === 'number' ? String(obj[key]) : obj[key];
  }
  return item;
}

/** The export line of a stored image (newline not included). */
export function exportLine(r: ImageRecord): string {
  return JSON.stringify({
    ProductId: r.productId, PicName: r.picName, CategoryId: r.categoryId,
    IntAttr: r.intAttr, IntAttr2: r.intAttr2, IntAttr3: r.intAttr3, IntAttr4: r.intAttr4,
    StrAttr: r.strAttr, StrAttr2: r.strAttr2, StrAttr3: r.strAttr3, StrAttr4: r.strAttr4,
    CustomContent: r.customContent, Region: formatRegion(r.region),
  });
}
