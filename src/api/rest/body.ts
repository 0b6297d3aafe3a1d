// Reading request bodies that carry pictures: JSON with base64 fields, or multipart/form-data
// with file parts. Returns plain fields plus the pictures as bytes.

import type { Context } from 'hono';
import { TusouError } from '../../domain/index.js';
import { decodeBase64Picture } from '../../imaging/index.js';

export interface PictureBody {
  fields: Record<string, unknown>;
  pictures: Record<string, Buffer>;
}

/**
 * Parse a JSON or multipart body. `pictureFields` name the fields holding pictures: base64
 * strings in JSON, file parts (or base64 text) in multipart.
 * @throws BODY_INVALID, IMAGE_BASE64_INVALID, IMAGE_EMPTY
 */
export async function readPictureBody(c: Context, pictureFields: readonly string[]): Promise<PictureBody> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const fields: Record<string, unknown> = {};
  const pictures: Record<string, Buffer> = {};
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch (err) {
      throw new TusouError('BODY_INVALID', { reason: `malformed multipart body (${(err as Error).message})` }, { cause: err });
    }
    for (const [key, value] of form.entries()) {
      if (pictureFields.includes(key)) {
        pictures[key] = typeof value === 'string' ? decodeBase64Picture(value) : Buffer.from(await value.arrayBuffer());
      } else if (typeof value === 'string') {
        fields[key] = value;
      }
    }
    return { fields, pictures };
  }
  if (type.startsWith('application/json') || type === '') {
    let body: unknown;
    try {
      const text = await c.req.text();
      body = text === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new TusouError('BODY_INVALID', { reason: `malformed JSON (${(err as Error).message})` }, { cause: err });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TusouError('BODY_INVALID', { reason: 'the JSON body must be an object' });
    for (const [key, value] of Object.entries(body)) {
      if (pictureFields.includes(key)) {
        if (typeof value !== 'string') throw new TusouError('PARAM_INVALID', { field: key, expected: 'a base64 string', got: typeof value });
        pictures[key] = decodeBase64Picture(value);
      } else {
        fields[key] = value;
      }
    }
    return { fields, pictures };
  }
  throw new TusouError('BODY_INVALID', { reason: `Content-Type must be application/json or multipart/form-data; got ${type.slice(0, 60)}` });
}
