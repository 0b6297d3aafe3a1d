// The REST API under /api/v1: JSON over the engine, documented by its OpenAPI document.

import { OpenAPIHono } from '@hono/zod-openapi';
import { timingSafeEqual } from 'node:crypto';
import { TusouError, shown } from '../../domain/index.js';
import type { Engine } from '../../engine/index.js';
import type { Logger } from '../logger.js';
import { restError } from './errors.js';
import type { Env } from './rest-env.js';
import { imageRoutes } from './routes/images.js';
import { instanceRoutes } from './routes/instances.js';
import { pictureRoutes } from './routes/pictures.js';
import { searchRoutes } from './routes/search.js';
import { systemRoutes } from './routes/system.js';

export interface RestOptions {
  log: Logger;
  /** When set, every request but /health needs `Authorization: Bearer <id>:<secret>`. */
  accessKey?: { id: string; secret: string };
  startedAt: number;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

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
  if (opts.accessKey) {
    const expected = `Bearer ${opts.accessKey.id}:${opts.accessKey.secret}`;
    app.use('*', async (c, next) => {
      if (c.req.path.endsWith('/health')) return next();
      if (!sameSecret(c.req.header('authorization') ?? '', expected)) throw new TusouError('AUTH_REQUIRED');
      return next();
    });
  }
  systemRoutes(app, engine, opts.startedAt);
  instanceRoutes(app, engine);
  imageRoutes(app, engine);
  pictureRoutes(app, engine);
  searchRoutes(app, engine);
  app.notFound((c) => restError(c, new TusouError('ROUTE_NOT_FOUND', { method: c.req.method, path: c.req.path }), opts.log));
  app.onError((err, c) => restError(c, err, opts.log));
  return app;
}
