// The web console: the static app built into web/dist, served with content types and caching
// (hashed assets immutable, everything else revalidated), and index.html for the app's own routes.

import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './rest/rest-env.js';

/** Where `npm run build` puts the console (the same path from src/api and dist/api). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// Box positions are inline style attributes, hence 'unsafe-inline' for styles only.
const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Headers of every console answer: caching by kind of file, and a CSP on the app page. */
async function headers(c: Context, next: () => Promise<void>) {
  await next();
  if (c.res.status !== 200 && c.res.status !== 206) return;
  c.res.headers.set('x-content-type-options', 'nosniff');
  // Vite names assets by content hash, so they never change under one URL.
  c.res.headers.set('cache-control', c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) c.res.headers.set('content-security-policy', CSP);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>tusou</title>
<p>The tusou console is not built. Run <code>npm run build</code> (npm ci does it), then reload.
The REST API is at <a href="/api/v1/openapi.json">/api/v1</a>.</p>`;

/**
 * Routes of the console: its files, and index.html for the app's own paths (any other GET outside
 * /api and /assets that is under /instances/ or has no file extension; the app routes itself). Without a build, those answer 503 with
 * a page that says how to build it.
 */
export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): Hono<Env> {
  const app = new Hono<Env>();
  const index = join(dir, 'index.html');
  // Console pages live under /instances/ (where a PicName like a.jpg ends the path); elsewhere a
  // path ending in a file extension is a missing file, answered 404 rather than with the app.
  const isAppRoute = (path: string) => !path.startsWith('/api/') && path !== '/api' && !path.startsWith('/assets/')
    && (path.startsWith('/instances/') || !/\.[a-z0-9]+$/i.test(path.split('/').pop() ?? ''));
  if (!existsSync(index)) {
    app.get('*', (c, next) => (isAppRoute(c.req.path) ? c.html(NOT_BUILT, 503) : next()));
    return app;
  }
  app.use('*', headers);
  app.use('*', serveStatic({ root: dir }));
  const fallback = serveStatic({ path: index });
  app.get('*', (c, next) => (isAppRoute(c.req.path) ? fallback(c, next) : next()));
  return app;
}
