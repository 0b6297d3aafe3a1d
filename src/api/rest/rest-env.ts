// Shared REST plumbing: the Hono environment type and the error responses every route declares.

import type { Principal } from '../../domain/index.js';
import { ErrorSchema } from './schemas.js';

export type Env = {
  Variables: {
    requestId: string;
    /** Who is calling, once authenticated (set by the REST API's and the Alibaba API's auth step). */
    principal: Principal;
    /** The catalogue code of the error this request was answered with, for metrics. */
    errorCode: string;
  };
};

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** Error responses common to the routes (codes in docs/errors.md). */
export const errorResponses = {
  400: error('invalid request'),
  404: error('instance or image not found'),
  409: error('conflict (exists, full)'),
  401: error('an access key is required'),
  403: error('the access key may not do this'),
  413: error('body or picture too large'),
  429: error('QPS limit exceeded (see Retry-After)'),
  500: error('internal error'),
  503: error('overloaded, timed out or shutting down (see Retry-After)'),
};
