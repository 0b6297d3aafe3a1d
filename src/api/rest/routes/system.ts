// Health, readiness, the caller's session, descriptors and the OpenAPI document.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../../engine/index.js';
import { Readiness } from '../../readiness.js';
import { errorResponses, type Env } from '../rest-env.js';

const ReadySchema = z.object({
  status: z.enum(['starting', 'ready', 'stopping']),
  checks: z.object({ indexes: z.boolean(), vision: z.boolean() }),
});

const SessionSchema = z.object({
  open: z.boolean().openapi({ description: 'true on a loopback-only server without keys, where no key is needed' }),
  keyId: z.string().optional(),
  instances: z.array(z.string()).optional().openapi({ description: 'the instances the key may use; absent = all' }),
  readOnly: z.boolean(),
});

export function systemRoutes(app: OpenAPIHono<Env>, engine: Engine, startedAt: number, readiness: Readiness = new Readiness()): void {
  app.openapi(createRoute({
    method: 'get', path: '/health', tags: ['system'], summary: 'Liveness: the server answers and the store is open',
    responses: { 200: { description: 'healthy', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), instances: z.number(), uptimeS: z.number() }) } } } },
  }), async (c) => c.json({ status: 'ok' as const, instances: (await engine.listInstances()).length, uptimeS: Math.round((Date.now() - startedAt) / 1000) }, 200));

  app.openapi(createRoute({
    method: 'get', path: '/ready', tags: ['system'],
    summary: 'Readiness: 200 once the indexes are open and the vision workers have loaded their models; 503 before, and while shutting down',
    responses: {
      200: { description: 'ready for traffic', content: { 'application/json': { schema: ReadySchema } } },
      503: { description: 'starting or stopping', content: { 'application/json': { schema: ReadySchema } } },
    },
  }), (c) => {
    const state = readiness.state;
    return state.status === 'ready' ? c.json(state, 200) : c.json(state, 503);
  });

  app.openapi(createRoute({
    method: 'get', path: '/session', tags: ['system'], summary: 'Who the caller is: the access key it sent and what that key may do',
    responses: { 200: { description: 'the caller', content: { 'application/json': { schema: SessionSchema } } }, 401: errorResponses[401] },
  }), (c) => {
    const p = c.get('principal');
    return c.json({ open: p.keyId === undefined, keyId: p.keyId, instances: p.instances ? [...p.instances] : undefined, readOnly: p.readOnly }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/descriptors', tags: ['system'], summary: 'Feature descriptors an instance can use',
    responses: { 200: { description: 'descriptors', content: { 'application/json': { schema: z.object({ descriptors: z.array(z.object({ id: z.string(), kind: z.string(), dim: z.number(), metric: z.string(), description: z.string() })) }) } } } },
  }), (c) => c.json({ descriptors: engine.descriptors() }, 200));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'tusou REST API', version: '1', description: 'Self-hosted image search. Errors: docs/errors.md. Filters: docs/filters.md.' },
  });
}
