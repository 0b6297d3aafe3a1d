// Instance management: create, list, describe, delete.

import {
  SERVICE_TYPES, TusouError, categoriesOf, shown, validateInstanceName, validateMetric,
  type Category, type Instance, type ServiceType,
} from '../domain/index.js';
import { defaultIndexSpec, validateIndexSpec } from '../index/index.js';
import { faceApiRecognition, getExtractor, getReranker, hasExtractor } from '../vision/index.js';
import type { EngineContext } from './context.js';

export interface CreateInstanceInput {
  name: unknown;
  serviceType?: unknown;
  capacity?: unknown;
  descriptor?: unknown;
  metric?: unknown;
  index?: unknown;
  /** A reranker id (e.g. `orb-ransac@1`) to verify the first candidates with local features; `none` for none; else the service type's default. */
  reranker?: unknown;
}

export interface InstanceDetail extends Instance {
  imageCount: number;
  categories: (Category & { imageCount: number })[];
  /** Descriptor facts: vector kind and dimension. */
  vector: { kind: 'float' | 'binary'; dim: number };
}

/**
 * Create an instance. Defaults: service type `generic`, the configured descriptor of its service
 * type (on a `face` instance: the face descriptor), its metric, HNSW where the metric allows it (else flat), the
 * service type's default reranker (generic: `orb-ransac-top8@1`; none on the others).
 * @throws INSTANCE_NAME_MISSING, INSTANCE_NAME_INVALID, INSTANCE_EXISTS, PARAM_INVALID,
 *   DESCRIPTOR_UNKNOWN (descriptor or reranker), METRIC_INVALID, INDEX_SPEC_INVALID
 */
export async function createInstance(ctx: EngineContext, input: CreateInstanceInput): Promise<InstanceDetail> {
  const name = validateInstanceName(input.name);
  const serviceType = (input.serviceType ?? 'generic') as ServiceType;
  if (!SERVICE_TYPES.includes(serviceType)) {
    throw new TusouError('PARAM_INVALID', { field: 'serviceType', expected: `one of ${SERVICE_TYPES.join(', ')}`, got: shown(input.serviceType) });
  }
  const capacity = input.capacity ?? ctx.options.defaults.capacity;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000_000) {
    throw new TusouError('PARAM_INVALID', { field: 'capacity', expected: 'an integer in 1..1000000000', got: shown(input.capacity) });
  }
  if (input.reranker !== undefined && input.reranker !== null && typeof input.reranker !== 'string') {
    throw new TusouError('PARAM_INVALID', { field: 'reranker', expected: 'a reranker id such as orb-ransac@1', got: shown(input.reranker) });
  }
  const wanted = input.reranker === undefined ? (serviceType === 'face' ? undefined : ctx.options.defaults.rerankers?.[serviceType]) : input.reranker;
  const reranker = typeof wanted === 'string' && wanted !== '' && wanted !== 'none' ? getReranker(wanted).id : undefined;
  const instance: Instance = {
    name, serviceType, capacity,
    ...resolveIndexing(input, serviceType === 'face' ? faceApiRecognition.id : ctx.options.defaults.descriptors[serviceType], serviceType),
    createdAt: ctx.now(),
    ...(reranker ? { reranker } : {}),
  };
  await ctx.store.createInstance(instance);
  await ctx.follower.ensureOpen(instance);
  return describeInstance(ctx, instance);
}

/**
 * Query expansion and database-side augmentation by default (index keys `qe`, `dba`): on product
 * instances, where a search looks for the same kind of thing, expanding queries with the 3 nearest
 * images and scoring every image with its 3 nearest raise category mAP (docs/quality.md); not on
 * generic ones, where a copy's own score must stay its own.
 */
const DEFAULT_QUERY_EXPANSION: Record<ServiceType, number> = { product: 3, generic: 0, face: 0 };
const DEFAULT_AUGMENTATION: Record<ServiceType, number> = { product: 3, generic: 0, face: 0 };

/**
 * Settle descriptor, metric and index spec: the descriptor's own metric and the default spec for
 * the shape unless given. A face instance takes only face descriptors, and only it takes them.
 * @throws PARAM_INVALID, DESCRIPTOR_UNKNOWN, METRIC_INVALID, INDEX_SPEC_INVALID
 */
export function resolveIndexing(input: { descriptor?: unknown; metric?: unknown; index?: unknown }, defaultDescriptor: string, serviceType?: ServiceType): Pick<Instance, 'descriptor' | 'metric' | 'index'> {
  const descriptor = input.descriptor ?? defaultDescriptor;
  if (typeof descriptor !== 'string') throw new TusouError('PARAM_INVALID', { field: 'descriptor', expected: 'a descriptor id', got: shown(descriptor) });
  const extractor = getExtractor(descriptor);
  if (serviceType !== undefined && (serviceType === 'face') !== Boolean(extractor.faces)) {
    throw new TusouError('PARAM_INVALID', {
      field: 'descriptor',
      expected: serviceType === 'face' ? `a face descriptor on a face instance (${faceApiRecognition.id})` : 'a picture descriptor (face descriptors need serviceType face)',
      got: shown(descriptor),
    });
  }
  const metric = validateMetric(input.metric ?? extractor.metric, extractor.kind);
  const shape = { metric, kind: extractor.kind, dim: extractor.dim, ...(extractor.parts ? { parts: true } : {}) };
  if (input.index !== undefined && typeof input.index !== 'string') {
    throw new TusouError('PARAM_INVALID', { field: 'index', expected: 'an index spec such as flat or hnsw:m=16', got: shown(input.index) });
  }
  const qe = serviceType ? DEFAULT_QUERY_EXPANSION[serviceType] : 0;
  const dba = serviceType ? DEFAULT_AUGMENTATION[serviceType] : 0;
  return { descriptor, metric, index: validateIndexSpec(input.index ?? defaultIndexSpec(shape, qe, dba), shape) };
}

async function describeInstance(ctx: EngineContext, instance: Instance): Promise<InstanceDetail> {
  const counts = await ctx.store.categoryCounts(instance.name);
  const e = hasExtractor(instance.descriptor) ? getExtractor(instance.descriptor) : { kind: 'float' as const, dim: 0 };
  return {
    ...instance,
    imageCount: [...counts.values()].reduce((a, b) => a + b, 0),
    categories: categoriesOf(instance.serviceType).map((c) => ({ ...c, imageCount: counts.get(c.id) ?? 0 })),
    vector: { kind: e.kind, dim: e.dim },
  };
}

/** @throws INSTANCE_NOT_FOUND */
export async function getInstanceDetail(ctx: EngineContext, name: string): Promise<InstanceDetail> {
  return describeInstance(ctx, await ctx.instance(name, { anyDescriptor: true }));
}

export async function listInstances(ctx: EngineContext): Promise<InstanceDetail[]> {
  return Promise.all((await ctx.store.listInstances()).map((i) => describeInstance(ctx, i)));
}

/** Delete an instance, its images, kept originals no other instance uses, and its index. @throws INSTANCE_NOT_FOUND */
export async function deleteInstance(ctx: EngineContext, name: string): Promise<void> {
  const instance = await ctx.instance(name, { anyDescriptor: true });
  await ctx.blobs.assertWritable();
  const { orphanedBlobs } = await ctx.store.deleteInstance(instance.name);
  await ctx.follower.settle();
  await removeBlobs(ctx, orphanedBlobs);
}

/**
 * Delete originals no image references (and their thumbnails), except those an add in flight has
 * pinned. Runs after the rows are gone, so a file that cannot be removed is reported and left for
 * `tusou check --repair`, never turned into a failed delete.
 */
export async function removeBlobs(ctx: EngineContext, shas: Iterable<string>): Promise<void> {
  for (const sha of shas) {
    try {
      if (await ctx.blobs.delete(sha)) await ctx.thumbnails.deleteAll(sha);
    } catch (err) {
      ctx.warn('an unreferenced original could not be removed; tusou check --repair removes it later', { sha256: sha, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
}
