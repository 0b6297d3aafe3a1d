// /instances/{name}/images: add, list by filter, get, original bytes, update, delete.

import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../../engine/index.js';
import { readPictureBody } from '../body.js';
import { errorResponses, type Env } from '../rest-env.js';
import {
  AddImageSchema, ImageKeyParams, ImageSchema, InstanceNameParam, ListImagesQuery, UpdateImageSchema,
} from '../schemas.js';
import { imageJson } from '../serialize.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export function imageRoutes(app: OpenAPIHono<Env>, engine: Engine): void {
  // Pictures arrive as JSON (base64) or multipart; the body is read by readPictureBody, so the
  // route is registered for the OpenAPI document and handled by a plain handler.
  app.openAPIRegistry.registerPath(createRoute({
    method: 'post', path: '/instances/{name}/images', tags: ['images'],
    summary: 'Add an image (same ProductId + PicName replaces it)',
    request: {
      params: InstanceNameParam,
      body: { required: true, content: { 'application/json': { schema: AddImageSchema }, 'multipart/form-data': { schema: AddImageSchema } } },
    },
    responses: {
      201: json(z.object({ image: ImageSchema, replaced: z.literal(false) }), 'added'),
      200: json(z.object({ image: ImageSchema, replaced: z.literal(true) }), 'replaced an image with the same key'),
      ...errorResponses,
    },
  }));
  app.post('/instances/:name/images', async (c) => {
    const { fields, pictures } = await readPictureBody(c, ['picture']);
    const res = await engine.addImage(c.req.param('name'), { ...fields, productId: fields.productId, picName: fields.picName, bytes: pictures.picture });
    return c.json({ image: imageJson(res.image), replaced: res.replaced }, res.replaced ? 200 : 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}/images', tags: ['images'], summary: 'List images matching a filter (no similarity), oldest first',
    request: { params: InstanceNameParam, query: ListImagesQuery },
    responses: { 200: json(z.object({ docsFound: z.number(), images: z.array(ImageSchema) }), 'a page of images'), ...errorResponses },
  }), async (c) => {
    const res = await engine.searchByFilter(c.req.valid('param').name, c.req.valid('query'));
    return c.json({ docsFound: res.docsFound, images: res.images.map(imageJson) }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/instances/{name}/images', tags: ['images'], summary: 'Delete every image matching a filter',
    request: { params: InstanceNameParam, query: z.object({ filter: z.string().openapi({ description: 'filter expression (required)' }) }) },
    responses: { 200: json(z.object({ deleted: z.array(z.object({ productId: z.string(), picName: z.string() })) }), 'what was deleted'), ...errorResponses },
  }), async (c) => c.json({ deleted: await engine.deleteImages(c.req.valid('param').name, { filter: c.req.valid('query').filter }) }, 200));

  app.openapi(createRoute({
    method: 'delete', path: '/instances/{name}/products/{productId}', tags: ['images'], summary: 'Delete every image of a product',
    request: { params: InstanceNameParam.extend({ productId: z.string().openapi({ param: { name: 'productId', in: 'path' } }) }) },
    responses: { 200: json(z.object({ deleted: z.array(z.object({ productId: z.string(), picName: z.string() })) }), 'what was deleted'), ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    return c.json({ deleted: await engine.deleteImages(p.name, { productId: p.productId }) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}/images/{productId}/{picName}', tags: ['images'], summary: 'Get an image record',
    request: { params: ImageKeyParams },
    responses: { 200: json(ImageSchema, 'the image'), ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    return c.json(imageJson(await engine.getImage(p.name, p)), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/instances/{name}/images/{productId}/{picName}/original', tags: ['images'], summary: 'The kept original bytes',
    request: { params: ImageKeyParams },
    responses: { 200: { description: 'the original picture', content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    const { image, bytes } = await engine.getOriginal(p.name, p);
    return c.body(new Uint8Array(bytes), 200, { 'content-type': `image/${image.format}`, 'cache-control': 'private, max-age=3600' });
  });

  app.openapi(createRoute({
    method: 'patch', path: '/instances/{name}/images/{productId}/{picName}', tags: ['images'], summary: 'Change attributes (only the given fields)',
    request: { params: ImageKeyParams, body: { required: true, content: { 'application/json': { schema: UpdateImageSchema } } } },
    responses: { 200: json(ImageSchema, 'the updated image'), ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    return c.json(imageJson(await engine.updateImage(p.name, p, c.req.valid('json'))), 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/instances/{name}/images/{productId}/{picName}', tags: ['images'], summary: 'Delete one image',
    request: { params: ImageKeyParams },
    responses: { 200: json(z.object({ deleted: z.array(z.object({ productId: z.string(), picName: z.string() })) }), 'what was deleted (empty if nothing matched)'), ...errorResponses },
  }), async (c) => {
    const p = c.req.valid('param');
    return c.json({ deleted: await engine.deleteImages(p.name, { productId: p.productId, picName: p.picName }) }, 200);
  });
}
