// The REST error envelope: { error: { code, message, details, requestId } } with the catalogue
// status. Handlers never build error JSON; anything not a TusouError is logged and answered 500.

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERRORS, TusouError, isTusouError } from '../../domain/index.js';
import type { Logger } from '../logger.js';

/** Translate framework failures (body limit, content type, JSON syntax) into catalogue errors. */
export function asTusouError(err: unknown): TusouError | undefined {
  if (isTusouError(err)) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new TusouError('BODY_TOO_LARGE', { bytes: -1, maxBytes: -1 });
    if (err.status === 415) return new TusouError('BODY_INVALID', { reason: 'Content-Type must be application/json or multipart/form-data' });
    if (err.status === 400) return new TusouError('BODY_INVALID', { reason: err.message || 'malformed body' });
  }
  if (err instanceof SyntaxError) return new TusouError('BODY_INVALID', { reason: `malformed JSON (${err.message})` });
  return undefined;
}

/** Answer an error in the REST envelope. */
export function restError(c: Context, err: unknown, log: Logger): Response {
  const requestId = c.get('requestId') as string;
  const known = asTusouError(err);
  if (!known) {
    log.error({ err, requestId }, 'unexpected error');
    const code = 'INTERNAL';
    c.set('errorCode', code);
    return c.json({ error: { code, message: ERRORS.INTERNAL.message({}), details: {}, requestId } }, 500);
  }
  c.set('errorCode', known.code);
  const retryAfterS = (known.details as { retryAfterS?: unknown }).retryAfterS;
  if (typeof retryAfterS === 'number') c.header('retry-after', String(retryAfterS));
  // A timed-out request may not have been read to its end: the connection cannot carry another.
  if (known.code === 'REQUEST_TIMEOUT') c.header('connection', 'close');
  return c.json({ error: { code: known.code, message: known.message, details: known.details, requestId } }, known.status as ContentfulStatusCode);
}
