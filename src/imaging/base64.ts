// Strict base64 decoding of pictures sent inline (with or without a data: URL prefix).

import { TusouError } from '../domain/index.js';

const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decode a base64 (or base64url) picture; whitespace is ignored, anything else invalid fails.
 * @throws IMAGE_BASE64_INVALID, IMAGE_EMPTY
 */
export function decodeBase64Picture(s: string): Buffer {
  const body = s.replace(DATA_URL, '').replace(/\s+/g, '');
  if (body.length === 0) throw new TusouError('IMAGE_EMPTY');
  if (body.length % 4 === 1 || !(BASE64.test(body) || BASE64URL.test(body))) throw new TusouError('IMAGE_BASE64_INVALID');
  const bytes = Buffer.from(body, BASE64.test(body) ? 'base64' : 'base64url');
  if (bytes.length === 0) throw new TusouError('IMAGE_EMPTY');
  return bytes;
}
