// Shared REST plumbing: the Hono environment type and the error responses every route declares.

import { ErrorSchema } from './schemas.js';

export type Env = { Variables: { requestId: string } };

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** Error responses common to the routes (codes in docs/errors.md). */
export const errorResponses = {
  400: error('invalid request'),
  404: error('instance or image not found'),
  409: error('conflict (exists, full)'),
  413: error('body or picture too large'),
  500: error('internal error'),
};
