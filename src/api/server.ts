// The HTTP server: request ids, one log line per request, body limits, and the front-ends
// mounted side by side (REST under /api/v1, the web console at /).

import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TusouError } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import { consoleRoutes } from './console.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { restError } from './rest/errors.js';
import { createRestApi } from './rest/rest-api.js';
import type { Env } from './rest/rest-env.js';

export interface ServerOptions {
  host: string;
  port: number;
  bodyMaxBytes: number;
  accessKey?: { id: string; secret: string };
  log: Logger;
  /** The built console (default: web/dist of this package). */
  consoleDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Build the root application (also usable without listening). */
export function createHttpApp(engine: Engine, opts: ServerOptions): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    const requestId = randomUUID().toUpperCase();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const t0 = performance.now();
    await next();
    opts.log.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0) }, 'request');
  });
  const metrics = createMetrics(engine);
  app.use('*', metrics.middleware);
  app.use('*', bodyLimit({
    maxSize: opts.bodyMaxBytes,
    onError: (c) => {
      // The rest of the body is not read, so this connection cannot carry another request.
      c.header('connection', 'close');
      return restError(c, new TusouError('BODY_TOO_LARGE', { bytes: opts.bodyMaxBytes + 1, maxBytes: opts.bodyMaxBytes }), opts.log);
    },
  }));
  app.route('/api/v1', createRestApi(engine, { log: opts.log, accessKey: opts.accessKey, startedAt: Date.now() }));
  app.get('/metrics', async (c) => {
    if (opts.accessKey && c.req.header('authorization') !== `Bearer ${opts.accessKey.id}:${opts.accessKey.secret}`) {
      throw new TusouError('AUTH_REQUIRED');
    }
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  app.route('/', consoleRoutes(opts.consoleDir));
  app.notFound((c) => restError(c, new TusouError('ROUTE_NOT_FOUND', { method: c.req.method, path: c.req.path }), opts.log));
  app.onError((err, c) => restError(c, err, opts.log));
  return app;
}

/** Listen on host:port (port 0 picks a free one). */
export async function startServer(engine: Engine, opts: ServerOptions): Promise<RunningServer> {
  const app = createHttpApp(engine, opts);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
