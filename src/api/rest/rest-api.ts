// The REST API under /api/v1: JSON over the engine, documented by its OpenAPI document.

import { OpenAPIHono } from '@hono/zod-openapi';
import { TusouError, authorize, shown } from '../../domain/index.js';
import type { Engine } from '../../engine/index.js';
import type { Authenticator } from '../auth.js';
import { withTimeout, type QpsLimits } from '../limits.js';
import type { Logger } from '../logger.js';
import type { Readiness } from '../readiness.js';
import { restAccess } from './access.js';
import { restError } from './errors.js';
import type { Env } from './rest-env.js';
import { imageRoutes } from './routes/images.js';
import { instanceRoutes } from './routes/instances.js';
import { pictureRoutes } from './routes/pictures.js';
import { searchRoutes } from './routes/search.js';
import { systemRoutes } from './routes/system.js';

export interface RestOptions {
  log: Logger;
  /**
   * Every request but /health and /ready needs `Authorization: Bearer <id>:<secret>` of the
   * bootstrap key or a stored key, unless the server is loopback-only without keys.
   */
  auth: Authenticator;
  qps?: QpsLimits;
  readiness?: Readiness;
  startedAt: number;
  /** Time budget of a request (0 = none). */
  requestTimeoutMs?: number;
  /** True when the server listens on loopback only. */
  loopbackOnly?: boolean;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Build the /api/v1 application. */
export function createRestApi(engine: Engine, opts: RestOptions): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const field = issue?.path.join('.') || result.target;
      throw new TusouError('PARAM_INVALID', { field, expected: issue?.message ?? 'a valid value', got: shown((issue as { input?: unknown })?.input ?? '(missing)') });
    },
  });
  app.use('*', async (c, next) => {
    const access = restAccess(c.req.method, c.req.path);
    if (!access) return next();
    const principal = await opts.auth.fromBearer(c.req.header('authorization'));
    c.set('principal', principal);
    // Without keys only local programs may call: a page of another site that made a browser
    // resolve its name to 127.0.0.1 (DNS rebinding) still sends its own name as Host.
    if (principal.keyId === undefined && !LOOPBACK_HOST.test(c.req.header('host') ?? '')) {
      throw new TusouError('AUTH_FORBIDDEN', { reason: 'a server without access keys answers only requests addressed to localhost or a loopback address' });
    }
    authorize(principal, access.need, access.instance);
    opts.qps?.admit(principal, access.instance);
    const work = async () => {
      if (/^application\/json/i.test(c.req.header('content-type') ?? '')) {
        // JSON must be UTF-8 (RFC 8259); decoding it leniently would store U+FFFD in place of bad bytes.
        try {
          utf8.decode(await c.req.arrayBuffer());
        } catch {
          throw new TusouError('BODY_INVALID', { reason: 'the JSON body is not valid UTF-8' });
        }
      }
      await next();
    };
    // Reading the body counts (a slow upload holds a slot); managing instances (reindex, delete)
    // may rightly take minutes, everything else has a budget.
    await withTimeout(work(), access.need === 'admin' ? 0 : opts.requestTimeoutMs ?? 0);
  });
  systemRoutes(app, engine, opts.startedAt, opts.readiness);
  instanceRoutes(app, engine);
  imageRoutes(app, engine);
  pictureRoutes(app, engine);
  searchRoutes(app, engine);
  app.notFound((c) => restError(c, new TusouError('ROUTE_NOT_FOUND', { method: c.req.method, path: c.req.path }), opts.log));
  app.onError((err, c) => restError(c, err, opts.log));
  return app;
}
