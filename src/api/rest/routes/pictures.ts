// Pictures of stored images made for people: cached thumbnails and the picture with its regions drawn.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../../engine/index.js';
import { errorResponses, type Env } from '../rest-env.js';
import { ImageKeyParams } from '../schemas.js';

const binary = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });

/** Register the thumbnail and annotated-picture routes (documented in the OpenAPI document). */
export function pictureRoutes(app: OpenAPIHono<Env>, engine: Engine): void {
  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}/images/{productId}/{picName}/thumbnail', tags: ['images'],
    summary: 'A WebP thumbnail (generated once, then cached)',
    request: {
      params: ImageKeyParams,
      query: z.object({
        size: z.string().optional().openapi({ type: 'integer', description: 'longer side in px: 64, 128, 256, 512 or 1024 (default 256); small pictures are not enlarged' }),
      }),
    },
    responses: { 200: binary('image/webp', 'the thumbnail'), 304: { description: 'not modified (If-None-Match)' }, ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    const t = await engine.thumbnail(p.name, p, c.req.valid('query').size);
    // The same key can later hold another picture, so clients revalidate; the ETag makes that a 304.
    const etag = `"${t.sha256.slice(0, 32)}-${t.sizePx}"`;
    const headers = { etag, 'cache-control': 'private, no-cache' };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(t.bytes), 200, { ...headers, 'content-type': t.contentType });
  });

  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}/images/{productId}/{picName}/annotated.png', tags: ['images'],
    summary: 'The stored picture with its detected regions and the described region drawn, with labels',
    request: {
      params: ImageKeyParams,
      query: z.object({
        maxPx: z.string().optional().openapi({ type: 'integer', description: 'bound the longer side (16..8192); default: the original size, so boxes are at their stored coordinates' }),
      }),
    },
    responses: { 200: binary('image/png', 'the annotated picture'), ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    const out = await engine.annotatedImage(p.name, p, { maxPx: c.req.valid('query').maxPx });
    return c.body(new Uint8Array(out.png), 200, { 'content-type': 'image/png', 'cache-control': 'private, no-cache' });
  });
}
