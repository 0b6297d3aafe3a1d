// Request and response shapes of the REST API, declared once: they generate the OpenAPI
// document. Values are checked for type here and for range by the engine, so both APIs answer
// range errors with the same catalogue codes.

import { z } from '@hono/zod-openapi';
import { METRICS, SERVICE_TYPES } from '../../domain/index.js';

const int = (description: string) => z.union([z.number().int(), z.string()]).optional().openapi({ type: 'integer', description });
const str = (description: string) => z.string().optional().openapi({ description });
const bool = (description: string) => z.union([z.boolean(), z.string()]).optional().openapi({ type: 'boolean', description });

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ description: 'stable error code (docs/errors.md)', example: 'INSTANCE_NOT_FOUND' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    requestId: z.string(),
  }),
}).openapi('Error');

export const BoxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() })
  .openapi('Box', { description: 'pixels of the orientation-corrected picture; (x1,y1) top-left, (x2,y2) bottom-right' });

export const RegionSchema = z.object({
  box: BoxSchema, label: z.string(), categoryId: z.number().optional(), score: z.number(),
}).openapi('Region');

export const InstanceNameParam = z.object({
  name: z.string().openapi({ param: { name: 'name', in: 'path' }, description: 'instance name: 1..20 of [A-Za-z0-9_-]', example: 'shop' }),
});

export const ImageKeyParams = InstanceNameParam.extend({
  productId: z.string().openapi({ param: { name: 'productId', in: 'path' }, description: 'ProductId (URL-encoded)' }),
  picName: z.string().openapi({ param: { name: 'picName', in: 'path' }, description: 'PicName (URL-encoded)' }),
});

export const CreateInstanceSchema = z.object({
  name: z.string().openapi({ example: 'shop' }),
  serviceType: z.enum(SERVICE_TYPES).optional().openapi({ description: 'product (categories predicted and searched within), generic (default), or face (every face indexed, searched by a face; docs/faces.md)' }),
  capacity: z.number().int().optional().openapi({ description: 'maximum number of images (default from config)' }),
  descriptor: z.string().optional().openapi({ description: 'feature descriptor id, see GET /descriptors' }),
  metric: z.enum(METRICS).optional().openapi({ description: "distance measure; default: the descriptor's" }),
  index: z.string().optional().openapi({ description: 'index spec: flat or hnsw:m=16,efc=100,ef=100 (docs/indexing.md)' }),
  reranker: z.string().optional().openapi({ description: 'verify the first candidates with local features, e.g. orb-ransac@1 (docs/quality.md); `none` for none; default: the service type\'s (generic: orb-ransac-top8@1, product: none)' }),
}).openapi('CreateInstance');

export const InstanceSchema = z.object({
  name: z.string(), serviceType: z.enum(SERVICE_TYPES), capacity: z.number(), descriptor: z.string(),
  metric: z.enum(METRICS), index: z.string(), reranker: z.string().optional(), createdAt: z.string(), imageCount: z.number(),
  categories: z.array(z.object({ id: z.number(), name: z.string(), nameZh: z.string(), imageCount: z.number() })),
  vector: z.object({ kind: z.enum(['float', 'binary']), dim: z.number() }),
}).openapi('Instance');

const attributeFields = {
  categoryId: int('category id (product instances: the category table; others: ignored)'),
  intAttr: int('32-bit integer attribute'), intAttr2: int('32-bit integer attribute'),
  intAttr3: int('32-bit integer attribute'), intAttr4: int('32-bit integer attribute'),
  strAttr: str('string attribute, ≤ 128 chars, none of \\ ¥ $ & %'), strAttr2: str('string attribute'),
  strAttr3: str('string attribute'), strAttr4: str('string attribute'),
  customContent: str('free text ≤ 4096 chars, returned with results'),
};

const pictureFields = {
  picture: z.string().openapi({ description: 'the picture: base64 in JSON, a file part in multipart/form-data', format: 'byte' }),
  crop: bool('detect the main subject and describe it (default true)'),
  region: z.union([z.string(), BoxSchema]).optional().openapi({ description: 'describe this box instead: "x1,x2,y1,y2" or {x1,y1,x2,y2}' }),
};

export const AddImageSchema = z.object({
  productId: z.string(), picName: z.string(), ...pictureFields, ...attributeFields,
}).openapi('AddImage');

export const UpdateImageSchema = z.object(attributeFields).openapi('UpdateImage');

export const ImageSchema = z.object({
  productId: z.string(), picName: z.string(),
  categoryId: z.number(), intAttr: z.number(), intAttr2: z.number(), intAttr3: z.number(), intAttr4: z.number(),
  strAttr: z.string(), strAttr2: z.string(), strAttr3: z.string(), strAttr4: z.string(), customContent: z.string(),
  region: BoxSchema, regions: z.array(RegionSchema), width: z.number(), height: z.number(), format: z.string(), bytes: z.number(),
  createdAt: z.string(), updatedAt: z.string(),
}).openapi('Image');

const searchOptionFields = {
  num: int('results per page, 1..100 (default 10)'),
  start: int('offset, 0..499 (default 0); start + num ≤ 500'),
  filter: str('filter expression, e.g. int_attr>=100 AND str_attr in ("a","b") (docs/filters.md)'),
  scoreThreshold: z.union([z.number(), z.string()]).optional().openapi({ type: 'number', description: 'only hits with score ≥ this (0..1)' }),
  distinctProductId: bool('at most one hit per ProductId'),
  categoryId: int('search within this category (product instances)'),
};

export const SearchByPictureSchema = z.object({
  ...pictureFields, ...searchOptionFields,
  annotate: bool('answer with the query picture as PNG, its detected regions and the searched region drawn with labels, instead of JSON (also accepted as ?annotate=true)'),
  annotateMaxPx: int('with annotate: bound the longer side of the PNG (16..8192; default the original size)'),
}).openapi('SearchByPicture');
export const SearchByImageSchema = z.object({ productId: z.string(), picName: z.string(), ...searchOptionFields }).openapi('SearchByImage');

export const SearchByTextSchema = z.object({
  text: z.string().openapi({ description: 'words in English or Chinese, ≤ 512 chars', example: 'red shoes' }),
  ...searchOptionFields,
}).openapi('SearchByText');

export const TextSearchResultSchema = z.object({
  docsFound: z.number(), docsReturned: z.number(),
  hits: z.array(ImageSchema.extend({ score: z.number().openapi({ description: '0..1: a monotone map of BM25 relevance; on instances of a CLIP-style model the cosine similarity of text and picture' }) })),
}).openapi('TextSearchResult');

export const SearchResultSchema = z.object({
  docsFound: z.number().openapi({ description: 'images matching filter and category (see docs/api.md)' }),
  docsReturned: z.number(),
  query: z.object({ categoryId: z.number(), region: BoxSchema, regions: z.array(RegionSchema), width: z.number(), height: z.number() }),
  hits: z.array(ImageSchema.extend({
    score: z.number().openapi({ description: '0..1, 1 = identical; on face instances calibrated: ≥ 0.5 means the same person' }),
    distance: z.number(),
    matchedRegion: BoxSchema.optional().openapi({ description: 'face instances: the box of the face in this image that matched' }),
    match: z.object({
      inliers: z.number().int().openapi({ description: 'keypoints consistent with one geometric transform (RANSAC inliers)' }),
      box: BoxSchema.openapi({ description: 'the part of this image that matched the query' }),
      points: z.array(z.object({ x: z.number(), y: z.number() })).openapi({ description: 'up to 64 of the inlier keypoints, in this image\'s pixels' }),
    }).optional().openapi({ description: 'hits verified by the instance\'s reranker (local features): where the query matched' }),
  })),
  timingsMs: z.record(z.string(), z.number()),
}).openapi('SearchResult');

export const ListImagesQuery = z.object({
  filter: str('filter expression'), num: int('1..100 (default 10)'), start: int('0..499 (default 0)'), categoryId: int('only this category'),
});

export const CompareSchema = z.object({
  first: z.string().openapi({ format: 'byte', description: 'first picture' }),
  second: z.string().openapi({ format: 'byte', description: 'second picture' }),
  crop: bool('detect and compare the main subjects (default true)'),
}).openapi('Compare');
