// The HTTP server: request ids, one log line per request, body limits, and the front-ends
// mounted side by side (Alibaba-compatible RPC at `/`, REST under /api/v1, the web console at /).
// One port speaks both HTTP and HTTPS: the first byte of a connection (0x16 = TLS handshake)
// picks the protocol.

import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { TusouError, type Clock } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import { AliyunApi, type KeyLookup } from './aliyun/index.js';
import { certificateNames, loadCertificateFiles, loadOrCreateCertificate, loadOrCreateServerKey, type TlsMaterial } from './local-secrets.js';
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
  /** Holds the server key, the TLS certificate and temporary uploads. */
  dataDir: string;
  aliyun: {
    region: string;
    signatureWindowS: number;
    nonceCacheMax: number;
    fetchUrls: boolean;
    fetchPrivateUrls: boolean;
    uploadHost?: string;
    uploadTtlS: number;
  };
  tls: { certFile?: string; keyFile?: string; hosts: readonly string[] };
  /** Largest picture, in bytes. */
  maxPictureBytes: number;
  /** The clock signatures are checked against (tests shift it). */
  now?: Clock;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The certificate of the HTTPS side, for clients to trust. */
  tls: { cert: string; certFile: string };
  close(): Promise<void>;
}

/** Stored keys first, then the bootstrap key of the configuration. */
function keyLookup(engine: Engine, bootstrap: ServerOptions['accessKey']): KeyLookup {
  return async (id) => {
    if (bootstrap && id === bootstrap.id) return { secret: bootstrap.secret, active: true };
    const key = await engine.findAccessKey(id);
    return key && { secret: key.secret, active: key.revokedAt === undefined };
  };
}

/** Build the root application (also usable without listening). */
export function createHttpApp(engine: Engine, opts: ServerOptions, aliyun?: AliyunApi): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    const requestId = randomUUID().toUpperCase();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const t0 = performance.now();
    await next();
    const action = c.req.header('x-acs-action') ?? c.req.query('Action');
    opts.log.info({ requestId, method: c.req.method, path: c.req.path, action, status: c.res.status, ms: Math.round(performance.now() - t0) }, 'request');
  });
  const metrics = createMetrics(engine);
  app.use('*', metrics.middleware);
  app.use('/api/*', bodyLimit({
    maxSize: opts.bodyMaxBytes,
    onError: (c) => {
      // The rest of the body is not read, so this connection cannot carry another request.
      c.header('connection', 'close');
      return restError(c, new TusouError('BODY_TOO_LARGE', { bytes: opts.bodyMaxBytes + 1, maxBytes: opts.bodyMaxBytes }), opts.log);
    },
  }));
  aliyun?.mount(app);
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

async function tlsMaterial(opts: ServerOptions): Promise<TlsMaterial> {
  if (opts.tls.certFile && opts.tls.keyFile) return loadCertificateFiles(opts.tls.certFile, opts.tls.keyFile);
  const extra = [...opts.tls.hosts];
  if (opts.aliyun.uploadHost) extra.push(opts.aliyun.uploadHost.replace(/:\d+$/, ''));
  return loadOrCreateCertificate(join(opts.dataDir, 'tls'), certificateNames(opts.host, extra));
}

/** Listen on host:port (port 0 picks a free one), HTTP and HTTPS on the same port. */
export async function startServer(engine: Engine, opts: ServerOptions): Promise<RunningServer> {
  const now = opts.now ?? Date.now;
  const [serverKey, tls] = await Promise.all([loadOrCreateServerKey(join(opts.dataDir, 'secrets')), tlsMaterial(opts)]);
  const aliyun = new AliyunApi(engine, {
    log: opts.log,
    keys: keyLookup(engine, opts.accessKey),
    signatureWindowS: opts.aliyun.signatureWindowS,
    nonceCacheMax: opts.aliyun.nonceCacheMax,
    serverKey,
    uploadDir: join(opts.dataDir, 'uploads'),
    uploadTtlS: opts.aliyun.uploadTtlS,
    uploadHost: opts.aliyun.uploadHost,
    maxPictureBytes: opts.maxPictureBytes,
    bodyMaxBytes: opts.bodyMaxBytes,
    remote: opts.aliyun.fetchUrls ? { timeoutMs: 5000, maxBytes: opts.maxPictureBytes, allowPrivate: opts.aliyun.fetchPrivateUrls } : undefined,
    region: opts.aliyun.region,
    now,
  });
  await aliyun.open();
  const app = createHttpApp(engine, opts, aliyun);
  const listener = getRequestListener(app.fetch);
  const plain = http.createServer(listener);
  const secure = https.createServer({ cert: tls.cert, key: tls.key }, listener);
  for (const s of [plain, secure]) {
    s.keepAliveTimeout = 65_000;
    // These two never listen themselves (the front server hands them sockets), but Node starts its
    // connection tracking (closeIdleConnections, request timeouts) on 'listening'.
    s.emit('listening');
  }
  const front = net.createServer((socket) => {
    // Until the first byte arrives nobody else owns the socket: a reset or a silent client is
    // simply dropped here; afterwards the HTTP(S) server handles errors and timeouts.
    const drop = () => socket.destroy();
    socket.on('error', drop);
    socket.setTimeout(30_000, drop);
    socket.once('data', (head: Buffer) => {
      socket.off('error', drop);
      socket.setTimeout(0);
      socket.off('timeout', drop);
      socket.pause();
      socket.unshift(head);
      (head[0] === 0x16 ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = front.address() as net.AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    tls: { cert: tls.cert, certFile: tls.certFile },
    close: async () => {
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      // Connections finishing a request become idle later; keep closing idle ones until all are gone.
      const drain = setInterval(() => { plain.closeIdleConnections(); secure.closeIdleConnections(); }, 50);
      const force = setTimeout(() => { plain.closeAllConnections(); secure.closeAllConnections(); }, 10_000);
      plain.closeIdleConnections();
      secure.closeIdleConnections();
      await closed;
      clearInterval(drain);
      clearTimeout(force);
      for (const s of [plain, secure]) {
        // close() stops the tracking timer; "not running" is expected, as they never listened.
        s.close((err) => {
          if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') opts.log.error({ err }, 'closing the HTTP server failed');
        });
      }
      await aliyun.close();
    },
  };
}
