// /instances: create, list, describe, delete.

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { canSee } from '../../../domain/index.js';
import type { Engine } from '../../../engine/index.js';
import { errorResponses, type Env } from '../rest-env.js';
import { CreateInstanceSchema, InstanceNameParam, InstanceSchema } from '../schemas.js';
import { instanceJson } from '../serialize.js';
import { z } from '@hono/zod-openapi';

export function instanceRoutes(app: OpenAPIHono<Env>, engine: Engine): void {
  app.openapi(createRoute({
    method: 'post', path: '/instances', tags: ['instances'], summary: 'Create an instance',
    request: { body: { required: true, content: { 'application/json': { schema: CreateInstanceSchema } } } },
    responses: { 201: { description: 'created', content: { 'application/json': { schema: InstanceSchema } } }, ...errorResponses },
  }), async (c) => c.json(instanceJson(await engine.createInstance(c.req.valid('json'))), 201));

  app.openapi(createRoute({
    method: 'get', path: '/instances', tags: ['instances'], summary: 'List instances',
    responses: { 200: { description: 'every instance', content: { 'application/json': { schema: z.object({ instances: z.array(InstanceSchema) }) } } } },
  }), async (c) => {
    // A key limited to some instances sees only those.
    const principal = c.get('principal');
    return c.json({ instances: (await engine.listInstances()).filter((i) => canSee(principal, i.name)).map(instanceJson) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}', tags: ['instances'], summary: 'Describe an instance (image counts, capacity, categories)',
    request: { params: InstanceNameParam },
    responses: { 200: { description: 'the instance', content: { 'application/json': { schema: InstanceSchema } } }, ...errorResponses },
  }), async (c) => c.json(instanceJson(await engine.getInstance(c.req.valid('param').name)), 200));

  app.openapi(createRoute({
    method: 'post', path: '/instances/{name}/reindex', tags: ['instances'],
    summary: 'Describe every image again from its kept original with a new descriptor, metric or index spec',
    request: {
      params: InstanceNameParam,
      body: { required: true, content: { 'application/json': { schema: CreateInstanceSchema.pick({ descriptor: true, metric: true, index: true }) } } },
    },
    responses: {
      200: { description: 'done', content: { 'application/json': { schema: z.object({ instance: InstanceSchema, failed: z.array(z.object({ productId: z.string(), picName: z.string(), reason: z.string() })) }) } } },
      ...errorResponses,
    },
  }), async (c) => {
    const name = c.req.valid('param').name;
    const res = await engine.reindex(name, c.req.valid('json'));
    return c.json({ instance: instanceJson(await engine.getInstance(name)), failed: res.failed }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/instances/{name}', tags: ['instances'], summary: 'Delete an instance and all its images',
    request: { params: InstanceNameParam },
    responses: { 204: { description: 'deleted' }, ...errorResponses },
  }), async (c) => {
    await engine.deleteInstance(c.req.valid('param').name);
    return c.body(null, 204);
  });
}
