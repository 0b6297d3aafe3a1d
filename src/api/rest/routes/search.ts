// Searches and comparisons: by picture, by an indexed image, compare two pictures, export.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { formatRegion, validateBool } from '../../../domain/index.js';
import type { Engine } from '../../../engine/index.js';
import { readPictureBody } from '../body.js';
import { errorResponses, type Env } from '../rest-env.js';
import {
  CompareSchema, InstanceNameParam, SearchByImageSchema, SearchByPictureSchema, SearchByTextSchema, SearchResultSchema, TextSearchResultSchema,
} from '../schemas.js';
import { imageJson, searchJson } from '../serialize.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export function searchRoutes(app: OpenAPIHono<Env>, engine: Engine): void {
  app.openAPIRegistry.registerPath(createRoute({
    method: 'post', path: '/instances/{name}/search', tags: ['search'], summary: 'Search by picture',
    request: {
      params: InstanceNameParam,
      body: { required: true, content: { 'application/json': { schema: SearchByPictureSchema }, 'multipart/form-data': { schema: SearchByPictureSchema } } },
    },
    responses: {
      200: {
        description: 'ranked hits, best first; with annotate=true the query picture with its regions drawn, as PNG',
        content: {
          'application/json': { schema: SearchResultSchema },
          'image/png': { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...errorResponses,
    },
  }));
  app.post('/instances/:name/search', async (c) => {
    const { fields, pictures } = await readPictureBody(c, ['picture']);
    const annotate = validateBool('annotate', fields.annotate ?? c.req.query('annotate'), false);
    const result = await engine.searchByPicture(c.req.param('name'), { ...fields, bytes: pictures.picture });
    if (!annotate) return c.json(searchJson(result), 200);
    const out = await engine.annotateQuery(pictures.picture as Buffer, result.query, { maxPx: fields.annotateMaxPx });
    return c.body(new Uint8Array(out.png), 200, {
      'content-type': 'image/png', 'cache-control': 'no-store',
      // The drawn region and the size of the search, so a PNG-only client still knows what was searched.
      'x-tusou-region': formatRegion(result.query.region), 'x-tusou-docs-found': String(result.docsFound),
    });
  });

  app.openapi(createRoute({
    method: 'post', path: '/instances/{name}/search/by-image', tags: ['search'], summary: 'Search with an indexed image as the query',
    request: { params: InstanceNameParam, body: { required: true, content: { 'application/json': { schema: SearchByImageSchema } } } },
    responses: { 200: json(SearchResultSchema, 'ranked hits, best first (the query image itself first)'), ...errorResponses },
  }), async (c) => {
    const body = c.req.valid('json');
    return c.json(searchJson(await engine.searchByImage(c.req.valid('param').name, body, body)), 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/instances/{name}/search/by-text', tags: ['search'],
    summary: 'Search by text: detected objects, category names (English/Chinese), PicName, CustomContent, string attributes',
    request: { params: InstanceNameParam, body: { required: true, content: { 'application/json': { schema: SearchByTextSchema } } } },
    responses: { 200: json(TextSearchResultSchema, 'hits, most relevant first'), ...errorResponses },
  }), async (c) => {
    const res = await engine.searchByText(c.req.valid('param').name, c.req.valid('json'));
    return c.json({ docsFound: res.docsFound, docsReturned: res.hits.length, hits: res.hits.map((h) => ({ ...imageJson(h.image), score: h.score })) }, 200);
  });

  app.openAPIRegistry.registerPath(createRoute({
    method: 'post', path: '/instances/{name}/compare', tags: ['search'], summary: 'Similarity score of two pictures',
    request: {
      params: InstanceNameParam,
      body: { required: true, content: { 'application/json': { schema: CompareSchema }, 'multipart/form-data': { schema: CompareSchema } } },
    },
    responses: { 200: json(z.object({ score: z.number(), distance: z.number() }), 'score in 0..1, 1 = identical'), ...errorResponses },
  }));
  app.post('/instances/:name/compare', async (c) => {
    const { fields, pictures } = await readPictureBody(c, ['first', 'second']);
    const res = await engine.compare(c.req.param('name'), { bytes: pictures.first, crop: fields.crop }, { bytes: pictures.second, crop: fields.crop });
    return c.json({ score: res.score, distance: res.distance, first: { region: res.first.region }, second: { region: res.second.region } }, 200);
  });

  app.openAPIRegistry.registerPath(createRoute({
    method: 'get', path: '/instances/{name}/export', tags: ['images'], summary: 'Every image record as NDJSON (one JSON object per line)',
    request: { params: InstanceNameParam },
    responses: { 200: { description: 'NDJSON', content: { 'application/x-ndjson': { schema: z.string() } } }, ...errorResponses },
  }));
  app.get('/instances/:name/export', async (c) => {
    const name = c.req.param('name');
    await engine.getInstance(name);
    c.header('content-type', 'application/x-ndjson');
    return stream(c, async (s) => {
      for await (const image of engine.exportImages(name)) await s.write(`${JSON.stringify(imageJson(image))}\n`);
    });
  });
}
