// The HTTP server: request ids, one log line per request, body limits, and the front-ends
// mounted side by side (Alibaba-compatible RPC at `/`, REST under /api/v1, the web console at /).
// One port speaks both HTTP and HTTPS: the first byte of a connection (0x16 = TLS handshake)
// picks the protocol.

import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { TusouError, type Clock } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import { AliyunApi } from './aliyun/index.js';
import { Authenticator } from './auth.js';
import { QpsLimits, withTimeout, type QpsOptions } from './limits.js';
import { certificateNames, loadCertificateFiles, loadOrCreateCertificate, loadOrCreateServerKey, type TlsMaterial } from './local-secrets.js';
import { consoleRoutes } from './console.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
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
  /** Access, limits and shutdown (docs/security.md); defaults: loopback-only, no CORS, no QPS limits. */
  security?: Partial<SecurityOptions>;
  /** What /api/v1/ready reports (default: ready at once). */
  readiness?: Readiness;
}

export interface SecurityOptions {
  /** True when `host` is a loopback address: only then may a server without keys serve without one. */
  loopbackOnly: boolean;
  /** Origins (`https://shop.example`) whose pages may call the REST API from a browser (CORS). */
  corsOrigins: readonly string[];
  qps: QpsOptions;
  /** Requests handled at once; more are answered 503 SERVER_BUSY with Retry-After. */
  maxInFlight: number;
  /** Time budget of a request, reading its body included (0 = none); past it: 503 REQUEST_TIMEOUT. */
  requestTimeoutMs: number;
  /** How long a shutdown waits for requests in flight before cutting their connections. */
  shutdownGraceMs: number;
}

const DEFAULT_SECURITY: SecurityOptions = {
  loopbackOnly: true, corsOrigins: [], qps: { perKey: 0, perInstance: 0, instances: {} },
  maxInFlight: 64, requestTimeoutMs: 30_000, shutdownGraceMs: 30_000,
};

export interface RunningServer {
  url: string;
  port: number;
  /** The certificate of the HTTPS side, for clients to trust. */
  tls: { cert: string; certFile: string };
  close(): Promise<void>;
}

/** Probes and metrics: never queued behind work, never refused for load. */
const PROBES = new Set(['/api/v1/health', '/api/v1/ready', '/metrics']);

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/** The parts of the running server the HTTP app needs. */
export interface HttpParts {
  aliyun?: AliyunApi;
  auth: Authenticator;
  qps: QpsLimits;
  readiness: Readiness;
  /** Requests being handled now. */
  inFlight: { count: number };
}

/** The same-origin and allow-listed origins may call /api from a browser; every other origin is refused. */
function originAllowed(c: Context, allowed: readonly string[]): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === (c.req.header('host') ?? '');
  } catch {
    return false;
  }
}

/** Build the root application (also usable without listening). */
export function createHttpApp(engine: Engine, opts: ServerOptions, parts?: Partial<HttpParts>): Hono<Env> {
  const security = { ...DEFAULT_SECURITY, ...opts.security };
  const auth = parts?.auth ?? new Authenticator(engine, { bootstrap: opts.accessKey, loopbackOnly: security.loopbackOnly });
  const qps = parts?.qps ?? new QpsLimits(security.qps);
  const readiness = parts?.readiness ?? opts.readiness ?? new Readiness();
  const inFlight = parts?.inFlight ?? { count: 0 };
  const aliyun = parts?.aliyun;
  const app = new Hono<Env>();
  /** Answer in the envelope of the API the path belongs to. */
  const fail = (c: Context<Env>, err: unknown) => (aliyun && !c.req.path.startsWith('/api/') && c.req.path !== '/metrics'
    ? aliyun.fail(c, err, c.req.header('x-acs-action') ?? c.req.query('Action'))
    : restError(c, err, opts.log));
  app.use('*', async (c, next) => {
    const requestId = randomUUID().toUpperCase();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const t0 = performance.now();
    await next();
    // While shutting down, every answer ends its connection so clients go elsewhere.
    if (readiness.isStopping) c.header('connection', 'close');
    const action = c.req.header('x-acs-action') ?? c.req.query('Action');
    // The key id (never its secret) says who made the request.
    const keyId = c.get('principal')?.keyId;
    opts.log.info({ requestId, method: c.req.method, path: c.req.path, action, keyId, status: c.res.status, code: c.get('errorCode'), ms: Math.round(performance.now() - t0) }, 'request');
  });
  const metrics = createMetrics(engine, { inFlight: () => inFlight.count });
  app.use('*', metrics.middleware);
  if (security.corsOrigins.length) {
    app.use('/api/*', cors({
      origin: [...security.corsOrigins], allowHeaders: ['authorization', 'content-type'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'], exposeHeaders: ['retry-after', 'x-request-id'], maxAge: 600,
    }));
  }
  app.use('*', async (c, next) => {
    const api = c.req.path.startsWith('/api/') || c.req.path === '/metrics';
    // A page of another origin must not drive the API with the browser of a local user (CSRF).
    if (api && !originAllowed(c, security.corsOrigins)) {
      return fail(c, new TusouError('AUTH_FORBIDDEN', { reason: `requests from pages of ${c.req.header('origin')?.slice(0, 80)} are not allowed (TUSOU_CORS_ORIGINS)` }));
    }
    if (PROBES.has(c.req.path)) return next();
    if (inFlight.count >= security.maxInFlight) return fail(c, new TusouError('SERVER_BUSY', { reason: `${inFlight.count} requests in progress`, retryAfterS: 1 }));
    inFlight.count++;
    try {
      await next();
    } finally {
      inFlight.count--;
    }
  });
  app.use('/api/*', bodyLimit({
    maxSize: opts.bodyMaxBytes,
    onError: (c) => {
      // The rest of the body is not read, so this connection cannot carry another request.
      c.header('connection', 'close');
      return restError(c, new TusouError('BODY_TOO_LARGE', { bytes: opts.bodyMaxBytes + 1, maxBytes: opts.bodyMaxBytes }), opts.log);
    },
  }));
  aliyun?.mount(app);
  app.route('/api/v1', createRestApi(engine, {
    log: opts.log, auth, qps, readiness, startedAt: Date.now(), requestTimeoutMs: security.requestTimeoutMs, loopbackOnly: security.loopbackOnly,
  }));
  app.get('/metrics', async (c) => {
    const principal = await auth.fromBearer(c.req.header('authorization'));
    c.set('principal', principal);
    if (principal.instances !== undefined) throw new TusouError('AUTH_FORBIDDEN', { reason: `key ${principal.keyId} is limited to some instances; metrics cover all of them` });
    if (principal.keyId === undefined && !LOOPBACK_HOST.test(c.req.header('host') ?? '')) {
      throw new TusouError('AUTH_FORBIDDEN', { reason: 'a server without keys answers only requests addressed to a loopback name' });
    }
    return c.text(await withTimeout(metrics.registry.metrics(), security.requestTimeoutMs), 200, { 'content-type': metrics.registry.contentType });
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
  const security = { ...DEFAULT_SECURITY, ...opts.security };
  const [serverKey, tls] = await Promise.all([loadOrCreateServerKey(join(opts.dataDir, 'secrets')), tlsMaterial(opts)]);
  const auth = new Authenticator(engine, { bootstrap: opts.accessKey, loopbackOnly: security.loopbackOnly });
  const qps = new QpsLimits(security.qps);
  const readiness = opts.readiness ?? new Readiness();
  const inFlight = { count: 0 };
  const aliyun = new AliyunApi(engine, {
    log: opts.log,
    keys: auth.keys,
    principalOf: (id) => auth.principalOf(id),
    qps,
    requestTimeoutMs: security.requestTimeoutMs,
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
  const app = createHttpApp(engine, opts, { aliyun, auth, qps, readiness, inFlight });
  const listener = getRequestListener(app.fetch);
  const plain = http.createServer(listener);
  const secure = https.createServer({ cert: tls.cert, key: tls.key }, listener);
  for (const s of [plain, secure]) {
    s.keepAliveTimeout = 65_000;
    // Slow clients (slowloris): headers within 20 s, the whole request within the request budget
    // plus a minute for the upload itself.
    s.headersTimeout = 20_000;
    s.requestTimeout = security.requestTimeoutMs > 0 ? security.requestTimeoutMs + 60_000 : 0;
    // These two never listen themselves (the front server hands them sockets), but Node starts its
    // connection tracking (closeIdleConnections, request timeouts) on 'listening'.
    s.emit('listening');
  }
  // Every accepted connection, and whether it is handling a request: a shutdown closes idle ones
  // and waits for busy ones. A connection is idle only when no byte arrived since its last answer
  // and it has been quiet for a second, so a request on its way when SIGTERM arrives is served
  // rather than reset.
  const connections = new Map<net.Socket, { busy: number; idleSinceMs: number; bytesAtIdle: number }>();
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Behind TLS the request's socket wraps the accepted one (`_parent`, Node's TLSSocket field).
    const raw = (req.socket as net.Socket & { _parent?: net.Socket })._parent ?? req.socket;
    const c = connections.get(raw);
    if (readiness.isStopping) res.setHeader('connection', 'close');
    if (!c) return;
    c.busy++;
    res.once('close', () => {
      c.busy--;
      c.idleSinceMs = Date.now();
      c.bytesAtIdle = raw.bytesRead;
    });
  };
  plain.prependListener('request', onRequest);
  secure.prependListener('request', onRequest);
  let lastAcceptMs = 0;
  const front = net.createServer((socket) => {
    lastAcceptMs = Date.now();
    connections.set(socket, { busy: 0, idleSinceMs: lastAcceptMs, bytesAtIdle: 0 });
    socket.once('close', () => connections.delete(socket));
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
      readiness.markStopping();
      // Closing the listener resets connections the kernel accepted but Node has not taken yet, so
      // it stays open until no connection came for 100 ms (at most 2 s; /ready already says 503),
      // then one more pass through the poll phase takes any last ones.
      const drainFrom = Date.now();
      do await new Promise((resolve) => setTimeout(resolve, 25));
      while (Date.now() - lastAcceptMs < 100 && Date.now() - drainFrom < 2000);
      await new Promise((resolve) => setImmediate(resolve));
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      const closeIdle = () => {
        const quietSince = Date.now() - 1000;
        for (const [socket, c] of connections) {
          if (c.busy === 0 && c.idleSinceMs < quietSince && socket.bytesRead === c.bytesAtIdle) socket.destroy();
        }
      };
      // Connections finishing a request become idle later; keep closing idle ones until all are gone.
      const drain = setInterval(closeIdle, 50);
      const force = setTimeout(() => {
        opts.log.warn({ inFlight: inFlight.count, graceMs: security.shutdownGraceMs }, 'shutdown grace period over; closing connections with requests in flight');
        for (const socket of connections.keys()) socket.destroy();
      }, security.shutdownGraceMs);
      closeIdle();
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
