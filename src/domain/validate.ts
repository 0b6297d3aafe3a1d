// Validation of user-supplied values into domain types; every failure is a catalogue error
// naming the field, the expectation and what arrived.

import { OTHER_CATEGORY, isProductCategory } from './categories.js';
import { TusouError, shown } from './errors.js';
import {
  INT_ATTRS, STR_ATTRS, type Box, type ImageAttributes, type ServiceType,
} from './types.js';

export const LIMITS = Object.freeze({
  instanceName: 20,
  productId: 256,
  picName: 256,
  strAttr: 128,
  customContent: 4096,
  num: { min: 1, max: 100, default: 10 },
  start: { min: 0, max: 499, default: 0 },
  resultWindow: 500,
});

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Check an instance name: 1..20 chars of [A-Za-z0-9_-].
 * @throws INSTANCE_NAME_MISSING, INSTANCE_NAME_INVALID
 */
export function validateInstanceName(name: unknown): string {
  if (name === undefined || name === null || name === '') throw new TusouError('INSTANCE_NAME_MISSING');
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,20}$/.test(name)) {
    throw new TusouError('INSTANCE_NAME_INVALID', { name: shown(name, 40) });
  }
  return name;
}

function keyPart(value: unknown, max: number, missing: 'PRODUCT_ID_MISSING' | 'PIC_NAME_MISSING',
  invalid: 'PRODUCT_ID_INVALID' | 'PIC_NAME_INVALID'): string {
  if (value === undefined || value === null || value === '') throw new TusouError(missing);
  if (typeof value !== 'string') throw new TusouError(invalid, { reason: `expected a string, got ${typeof value}` });
  if (value.length > max) throw new TusouError(invalid, { reason: `it is ${value.length} characters; the limit is ${max}` });
  if (CONTROL.test(value)) throw new TusouError(invalid, { reason: 'it contains control characters' });
  if (value.trim() !== value || value.trim() === '') throw new TusouError(invalid, { reason: 'it has leading or trailing spaces' });
  return value;
}

/** @throws PRODUCT_ID_MISSING, PRODUCT_ID_INVALID */
export const validateProductId = (v: unknown): string => keyPart(v, LIMITS.productId, 'PRODUCT_ID_MISSING', 'PRODUCT_ID_INVALID');
/** @throws PIC_NAME_MISSING, PIC_NAME_INVALID */
export const validatePicName = (v: unknown): string => keyPart(v, LIMITS.picName, 'PIC_NAME_MISSING', 'PIC_NAME_INVALID');

const CLOUD_NAME: Record<string, string> = {
  intAttr: 'IntAttr', intAttr2: 'IntAttr2', intAttr3: 'IntAttr3', intAttr4: 'IntAttr4',
  strAttr: 'StrAttr', strAttr2: 'StrAttr2', strAttr3: 'StrAttr3', strAttr4: 'StrAttr4',
};

/** Parse an int32 attribute given as number or decimal string. @throws ATTR_INT_INVALID */
export function validateIntAttr(field: string, v: unknown): number {
  const n = typeof v === 'string' && /^\s*[-+]?\d{1,11}\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    throw new TusouError('ATTR_INT_INVALID', { field: CLOUD_NAME[field] ?? field, got: shown(v) });
  }
  return n;
}

/** Check a string attribute: ≤ 128 chars, none of `\ ¥ $ & %`, no control characters. @throws ATTR_STR_INVALID */
export function validateStrAttr(field: string, v: unknown): string {
  const name = CLOUD_NAME[field] ?? field;
  if (typeof v !== 'string') throw new TusouError('ATTR_STR_INVALID', { field: name, reason: `expected a string, got ${typeof v}` });
  if (v.length > LIMITS.strAttr) throw new TusouError('ATTR_STR_INVALID', { field: name, reason: `it is ${v.length} characters; the limit is ${LIMITS.strAttr}` });
  const bad = /[\\¥$&%]/.exec(v);
  if (bad) throw new TusouError('ATTR_STR_INVALID', { field: name, reason: `it contains '${bad[0]}' (\\ ¥ $ & % are not allowed)` });
  if (CONTROL.test(v)) throw new TusouError('ATTR_STR_INVALID', { field: name, reason: 'it contains control characters' });
  return v;
}

/** @throws CUSTOM_CONTENT_INVALID */
export function validateCustomContent(v: unknown): string {
  if (typeof v !== 'string') throw new TusouError('CUSTOM_CONTENT_INVALID', { reason: `expected a string, got ${typeof v}` });
  if (v.length > LIMITS.customContent) throw new TusouError('CUSTOM_CONTENT_INVALID', { reason: `it is ${v.length} characters; the limit is ${LIMITS.customContent}` });
  if (v.includes('\u0000')) throw new TusouError('CUSTOM_CONTENT_INVALID', { reason: 'it contains a NUL character' });
  return v;
}

/**
 * Check a category id for a service type. Product instances accept the 14 table ids; other
 * service types force "Other" (88888888) whatever the caller sends (aliyun-imagesearch-api.md §2.6).
 * @throws CATEGORY_INVALID
 */
export function validateCategory(serviceType: ServiceType, v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TusouError('CATEGORY_INVALID', { got: shown(v) });
  if (serviceType !== 'product') return OTHER_CATEGORY;
  if (!isProductCategory(n)) throw new TusouError('CATEGORY_INVALID', { got: shown(v) });
  return n;
}

/** Partial attributes as a caller may give them. */
export type AttributeInput = Partial<Record<keyof ImageAttributes, unknown>>;

/** Validate the given attributes; absent ones are left out. @throws ATTR_INT_INVALID, ATTR_STR_INVALID, CUSTOM_CONTENT_INVALID */
export function validateAttributes(input: AttributeInput): Partial<Omit<ImageAttributes, 'categoryId'>> {
  const out: Partial<Omit<ImageAttributes, 'categoryId'>> = {};
  for (const f of INT_ATTRS) if (input[f] !== undefined && input[f] !== null) out[f] = validateIntAttr(f, input[f]);
  for (const f of STR_ATTRS) if (input[f] !== undefined && input[f] !== null) out[f] = validateStrAttr(f, input[f]);
  if (input.customContent !== undefined && input.customContent !== null) out.customContent = validateCustomContent(input.customContent);
  return out;
}

/** Defaults for unset attributes (aliyun-imagesearch-api.md §2.8). */
export const DEFAULT_ATTRIBUTES: Readonly<Omit<ImageAttributes, 'categoryId'>> = Object.freeze({
  intAttr: 0, intAttr2: 0, intAttr3: 0, intAttr4: 0,
  strAttr: '', strAttr2: '', strAttr3: '', strAttr4: '',
  customContent: '',
});

/**
 * Parse a region `x1,x2,y1,y2` (both x first; aliyun-imagesearch-api.md §2.7) and check it lies
 * inside a `width`×`height` image.
 * @throws REGION_INVALID
 */
export function parseRegion(v: unknown, width: number, height: number): Box {
  const got = shown(v, 40);
  if (typeof v !== 'string' || !/^\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*$/.test(v)) {
    throw new TusouError('REGION_INVALID', { got, reason: 'four non-negative integers are needed' });
  }
  const [x1, x2, y1, y2] = v.split(',').map((s) => Number(s.trim()));
  return checkBox({ x1, y1, x2, y2 }, width, height, got);
}

/** Check a box lies inside the image and is not empty. @throws REGION_INVALID */
export function checkBox(b: Box, width: number, height: number, got = formatRegion(b)): Box {
  if (!(b.x1 < b.x2 && b.y1 < b.y2)) throw new TusouError('REGION_INVALID', { got, reason: 'x1 < x2 and y1 < y2 are needed' });
  if (b.x1 < 0 || b.y1 < 0 || b.x2 > width || b.y2 > height) {
    throw new TusouError('REGION_INVALID', { got, reason: `the image is ${width}x${height}` });
  }
  return b;
}

/** Format a box the way the cloud API writes regions: `x1,x2,y1,y2`. */
export function formatRegion(b: Box): string {
  return `${b.x1},${b.x2},${b.y1},${b.y2}`;
}

/** The box covering a whole image. */
export const fullBox = (width: number, height: number): Box => ({ x1: 0, y1: 0, x2: width, y2: height });

function intParam(v: unknown, def: number): number | undefined {
  if (v === undefined || v === null || v === '') return def;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/**
 * Validate paging: Num 1..100 (default 10), Start 0..499 (default 0), Start + Num ≤ 500.
 * @throws NUM_INVALID, START_INVALID, RESULT_WINDOW_EXCEEDED
 */
export function validatePaging(num: unknown, start: unknown): { num: number; start: number } {
  const n = intParam(num, LIMITS.num.default);
  if (n === undefined || n < LIMITS.num.min || n > LIMITS.num.max) throw new TusouError('NUM_INVALID', { got: shown(num, 20) });
  const s = intParam(start, LIMITS.start.default);
  if (s === undefined || s < LIMITS.start.min || s > LIMITS.start.max) throw new TusouError('START_INVALID', { got: shown(start, 20) });
  if (s + n > LIMITS.resultWindow) throw new TusouError('RESULT_WINDOW_EXCEEDED', { start: s, num: n });
  return { num: n, start: s };
}

/** Parse a score threshold "0.00".."1.00" (≤ 2 decimals). @throws SCORE_THRESHOLD_INVALID */
export function validateScoreThreshold(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\s*(0(\.\d{1,2})?|1(\.0{1,2})?|\.\d{1,2})\s*$/.test(s)) {
    throw new TusouError('SCORE_THRESHOLD_INVALID', { got: shown(v, 20) });
  }
  return Number(s);
}

/** Parse a boolean given as boolean or the strings true/false. @throws PARAM_INVALID */
export function validateBool(field: string, v: unknown, def: boolean): boolean {
  if (v === undefined || v === null || v === '') return def;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new TusouError('PARAM_INVALID', { field, expected: 'true or false', got: shown(v, 20) });
}
