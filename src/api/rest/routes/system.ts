// Health, descriptors and the OpenAPI document.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../../engine/index.js';
import type { Env } from '../rest-env.js';

export function systemRoutes(app: OpenAPIHono<Env>, engine: Engine, startedAt: number): void {
  app.openapi(createRoute({
    method: 'get', path: '/health', tags: ['system'], summary: 'Liveness: the server answers and the store is open',
    responses: { 200: { description: 'healthy', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), instances: z.number(), uptimeS: z.number() }) } } } },
  }), async (c) => c.json({ status: 'ok' as const, instances: (await engine.listInstances()).length, uptimeS: Math.round((Date.now() - startedAt) / 1000) }, 200));

  app.openapi(createRoute({
    method: 'get', path: '/descriptors', tags: ['system'], summary: 'Feature descriptors an instance can use',
    responses: { 200: { description: 'descriptors', content: { 'application/json': { schema: z.object({ descriptors: z.array(z.object({ id: z.string(), kind: z.string(), dim: z.number(), metric: z.string(), description: z.string() })) }) } } } },
  }), (c) => c.json({ descriptors: engine.descriptors() }, 200));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'tusou REST API', version: '1', description: 'Self-hosted image search. Errors: docs/errors.md. Filters: docs/filters.md.' },
  });
}
