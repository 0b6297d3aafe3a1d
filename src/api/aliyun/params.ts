// The parameters of an RPC request: the query string and an application/x-www-form-urlencoded
// body, decoded exactly as WHATWG URLSearchParams does (so signatures match what the SDK signed),
// except that text which is not UTF-8 is refused instead of silently replaced; then merged with
// the body winning (aliyun-imagesearch-api.md §6.2).

import { TusouError, shown } from '../../domain/index.js';
import type { Params } from './wire.js';

/** The most parameters one request may carry (the largest action takes about 20). */
export const MAX_PARAMS = 1000;

export type Pairs = [string, string][];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const hex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);

/** Percent-decode bytes (`+` → space); a `%` not followed by two hex digits stays as it is. */
function percentDecode(b: Buffer, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === 0x2b) out[n++] = 0x20;
    else if (c === 0x25 && i + 2 < to && hex(b[i + 1]) && hex(b[i + 2])) {
      out[n++] = (hexValue(b[i + 1]) << 4) | hexValue(b[i + 2]);
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/**
 * Decode `application/x-www-form-urlencoded` bytes into pairs, in order. For UTF-8 input the
 * result equals `[...new URLSearchParams(text)]`.
 * @throws PARAM_INVALID when a name or value is not UTF-8 (naming it) or there are more than
 *   MAX_PARAMS pairs
 */
export function parseUrlEncoded(input: Buffer | string, where: 'query' | 'body'): Pairs {
  const b = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const pairs: Pairs = [];
  let start = 0;
  while (start <= b.length) {
    let end = b.indexOf(0x26, start);
    if (end < 0) end = b.length;
    if (end > start) {
      if (pairs.length >= MAX_PARAMS) {
        throw new TusouError('PARAM_INVALID', { field: `the ${where}`, expected: `at most ${MAX_PARAMS} parameters`, got: 'more' });
      }
      let eq = b.indexOf(0x3d, start);
      if (eq < 0 || eq > end) eq = end;
      let name: string;
      try {
        name = utf8.decode(percentDecode(b, start, eq));
      } catch {
        throw new TusouError('PARAM_INVALID', { field: `a parameter name in the ${where}`, expected: 'UTF-8 text', got: 'bytes that are not UTF-8' });
      }
      try {
        pairs.push([name, utf8.decode(percentDecode(b, Math.min(eq + 1, end), end))]);
      } catch {
        throw new TusouError('PARAM_INVALID', { field: shown(name, 40), expected: 'UTF-8 text', got: 'bytes that are not UTF-8' });
      }
    }
    start = end + 1;
  }
  return pairs;
}

/** A request's parameters: the pairs as signed, and the merged view the actions read. */
export interface RpcParams {
  query: Pairs;
  form: Pairs;
  /** Query merged with the form body (the body wins); no prototype, so any name is plain data. */
  params: Params;
}

/**
 * Read the parameters of an RPC request. A body is only read as parameters when it is
 * form-urlencoded; any other non-empty body is refused (the SDK sends nothing else here).
 * @throws PARAM_INVALID (not UTF-8, too many), BODY_INVALID (a body of another content type)
 */
export function parseRpcParams(rawQuery: string, contentType: string | undefined, body: Buffer): RpcParams {
  const query = parseUrlEncoded(rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery, 'query');
  let form: Pairs = [];
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '')) form = parseUrlEncoded(body, 'body');
  else if (body.length > 0) {
    throw new TusouError('BODY_INVALID', { reason: `parameters must come as Content-Type application/x-www-form-urlencoded; got ${shown(contentType ?? '(none)', 60)}` });
  }
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) params[k] = v;
  for (const [k, v] of form) params[k] = v;
  return { query, form, params };
}
