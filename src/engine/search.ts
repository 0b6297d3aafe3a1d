// Searches: by picture, by an indexed image, by filter. The planner picks, per query, between the
// index's own filtered search and an exact scan over the candidates the store selects, so a
// selective filter never loses recall (DESIGN §3).

import {
  OTHER_CATEGORY, TusouError, parseFilter, validateBool, validateCategory,
  validatePaging, validatePicName, validateProductId, validateScoreThreshold,
  type Box, type DetectedRegion, type ImageRecord, type Instance, type Vector,
} from '../domain/index.js';
import type { ImageSelection, StoreVectorSearch } from '../store/index.js';
import { getExtractor, getReranker, type Verdict } from '../vision/index.js';
import type { EngineContext } from './context.js';
import { nearest } from './planner.js';
import { tokenize } from './text-index.js';
import { describePicture, type PictureInput } from './picture.js';
import { matchedFaces } from './faces.js';
import { similarity } from './score.js';
import { matchEvidence, rerank, type MatchEvidence, type ScoredHit } from './rerank.js';

/** Options shared by every similarity search. */
export interface SearchOptions {
  num?: unknown;
  start?: unknown;
  filter?: unknown;
  scoreThreshold?: unknown;
  distinctProductId?: unknown;
  /** Restrict to this category (product instances). */
  categoryId?: unknown;
}

export interface SearchHit {
  image: ImageRecord;
  score: number;
  distance: number;
  /** Face instances: the box of the image's face that matched the query. */
  region?: Box;
  /** Verified by the reranker: where the query's keypoints matched, in the image's pixels. */
  match?: MatchEvidence;
}

export interface SearchResult {
  /** Candidates that matched the filter and category (before paging). */
  docsFound: number;
  hits: SearchHit[];
  /** What was searched for. */
  query: {
    categoryId: number;
    region: Box;
    regions: DetectedRegion[];
    width: number;
    height: number;
  };
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

interface Plan {
  selection: ImageSelection;
  num: number;
  start: number;
  threshold: number;
  distinct: boolean;
}

function plan(options: SearchOptions, categoryId: number | undefined): Plan {
  const { num, start } = validatePaging(options.num, options.start);
  const threshold = validateScoreThreshold(options.scoreThreshold);
  const distinct = validateBool('DistinctProductId', options.distinctProductId, false);
  const selection: ImageSelection = {};
  if (typeof options.filter === 'string' && options.filter.trim() !== '') selection.filter = parseFilter(options.filter);
  else if (options.filter !== undefined && options.filter !== null && options.filter !== '' && typeof options.filter !== 'string') {
    throw new TusouError('FILTER_INVALID', { reason: 'Filter must be a string' });
  }
  if (categoryId !== undefined) selection.categoryId = categoryId;
  return { selection, num, start, threshold, distinct };
}

/** Keep the best-scored hit of each product (hits arrive best first). */
async function distinctByProduct<H extends { label: number }>(ctx: EngineContext, instance: Instance, hits: H[]): Promise<H[]> {
  const records = await ctx.store.getImagesByLabel(instance.name, hits.map((h) => h.label));
  const seen = new Set<string>();
  return hits.filter((h) => {
    const pid = records.get(h.label)?.productId;
    if (pid === undefined || seen.has(pid)) return false;
    seen.add(pid);
    return true;
  });
}

/** Cut the page [start, start+num) from ranked hits and fetch its records. */
async function fetchPage(ctx: EngineContext, instance: Instance, kept: ScoredHit[], p: Plan): Promise<SearchHit[]> {
  const page = kept.slice(p.start, p.start + p.num);
  const records = await ctx.store.getImagesByLabel(instance.name, page.map((h) => h.label));
  const reranker = instance.reranker ? getReranker(instance.reranker) : undefined;
  return page.flatMap((h) => {
    const image = records.get(h.label);
    if (!image) return [];
    const hit: SearchHit = { image, score: h.score, distance: h.distance };
    if (reranker && h.matchPoints && h.matchPoints.length > 0) hit.match = matchEvidence(reranker, image.region, h.matchPoints);
    return [hit];
  });
}

/** The instance's open index for its current descriptor, opening it first on a node that has not yet. @throws INSTANCE_BUSY */
async function openIndex(ctx: EngineContext, instance: Instance) {
  await ctx.follower.ensureOpen(instance);
  return ctx.indexes.get(instance.name, instance.descriptor);
}

/** The store's own k-NN for this instance (pgvector), and whether its ANN index is built. */
async function storeSearchOf(ctx: EngineContext, instance: Instance): Promise<{ storeSearch?: StoreVectorSearch; storeAnn?: boolean }> {
  const vs = ctx.store.vectorSearch;
  const e = getExtractor(instance.descriptor);
  if (!vs || !vs.supports(instance.metric, e.kind)) return {};
  return { storeSearch: vs, storeAnn: await vs.hasAnnIndex(instance.descriptor, instance.metric, e.kind, e.dim) };
}

/**
 * Rank (re-ranking the first candidates when the instance has a reranker and the query's local
 * features are given), then apply threshold, DistinctProductId and paging; fetch the page's records.
 */
export async function rank(ctx: EngineContext, instance: Instance, vector: Vector, p: Plan, local?: Uint8Array): Promise<{ docsFound: number; hits: SearchHit[]; knnMs: number; rerankMs: number }> {
  const e = getExtractor(instance.descriptor);
  const reranker = instance.reranker && local ? getReranker(instance.reranker) : undefined;
  const verified = new Map<number, Verdict>();
  const want = p.start + p.num;
  let k = p.distinct ? want * 4 : want;
  if (reranker) k = Math.max(k, reranker.depth);
  let knnMs = 0;
  let rerankMs = 0;
  for (;;) {
    const t0 = performance.now();
    const { hits, candidates } = await nearest(
      { store: ctx.store, collection: await openIndex(ctx, instance), exactMaxCandidates: ctx.options.search.exactMaxCandidates, ...await storeSearchOf(ctx, instance) },
      instance, vector, p.selection, k,
    );
    const global: ScoredHit[] = hits.map((h) => ({ ...h, score: similarity(instance, e, h.distance) }));
    const t1 = performance.now();
    knnMs += t1 - t0;
    const ranked = reranker && local ? await rerank(ctx, instance, reranker, local, global, verified) : global;
    rerankMs += performance.now() - t1;
    const scored = ranked.filter((h) => h.score >= p.threshold);
    const kept = p.distinct ? await distinctByProduct(ctx, instance, scored) : scored;
    // Complete: every match is in `hits` (the ranking ran out, or reached scores below the threshold).
    // Re-ranking only raises the scores of the first candidates, which are always fetched (k ≥
    // depth), so the global scores decide whether unfetched candidates could still match.
    const complete = hits.length < k || k >= candidates || global.some((h) => h.score < p.threshold);
    if (kept.length < want && !complete) { k *= 4; continue; }
    // With a threshold or de-duplication the matches are counted exactly when complete; else the
    // candidate count is the (upper-bound) answer.
    const docsFound = (p.threshold > 0 || p.distinct) && complete ? kept.length : candidates;
    const page = await fetchPage(ctx, instance, kept, p);
    return { docsFound, hits: e.parts ? await matchedFaces(ctx, instance, vector, page) : page, knnMs, rerankMs };
  }
}

export interface SearchByTextInput extends SearchOptions {
  text: unknown;
}

/**
 * Search by text: BM25 over detected objects, category names (English, Chinese, synonyms),
 * PicName, CustomContent and string attributes. Score = relevance / (relevance + 3·terms),
 * a monotone map into [0,1).
 * @throws INSTANCE_NOT_FOUND, TEXT_INVALID and the option errors
 */
export async function searchByText(ctx: EngineContext, instanceName: string, input: SearchByTextInput): Promise<{ docsFound: number; hits: SearchHit[] }> {
  const instance = await ctx.instance(instanceName);
  if (typeof input.text !== 'string' || input.text.trim() === '') throw new TusouError('TEXT_INVALID', { reason: 'Text is required' });
  if (input.text.length > 512) throw new TusouError('TEXT_INVALID', { reason: `it is ${input.text.length} characters; the limit is 512` });
  const categoryId = input.categoryId === undefined || input.categoryId === null || input.categoryId === ''
    ? undefined : validateCategory(instance.serviceType, input.categoryId);
  const p = plan(input, categoryId);
  // An instance described by a text-capable model (CLIP-style) answers by meaning, not by words.
  if (getExtractor(instance.descriptor).embedText) return rank(ctx, instance, await ctx.vision.embedText(instance.descriptor, input.text), p);
  const allowed = p.selection.filter || p.selection.categoryId !== undefined
    ? new Set(await ctx.store.selectLabels(instance.name, p.selection)) : undefined;
  const texts = await ctx.texts.of(instance.name);
  const terms = Math.max(1, tokenize(input.text, true).length);
  const scored = texts.search(input.text, allowed && ((l) => allowed.has(l)))
    .map((h) => ({ label: h.label, distance: -h.relevance, score: h.relevance / (h.relevance + 3 * terms) }))
    .filter((h) => h.score >= p.threshold);
  const kept = p.distinct ? await distinctByProduct(ctx, instance, scored) : scored;
  return { docsFound: kept.length, hits: await fetchPage(ctx, instance, kept, p) };
}

export interface SearchByPictureInput extends PictureInput, SearchOptions {}

/**
 * Search by a picture: detect (or take the caller's region), describe, rank.
 * On product instances the search stays within the given or predicted category.
 * @throws INSTANCE_NOT_FOUND, IMAGE_*, REGION_INVALID, CATEGORY_INVALID, FILTER_*, NUM_INVALID,
 *   START_INVALID, RESULT_WINDOW_EXCEEDED, SCORE_THRESHOLD_INVALID
 */
export async function searchByPicture(ctx: EngineContext, instanceName: string, input: SearchByPictureInput): Promise<SearchResult> {
  const t0 = performance.now();
  const instance = await ctx.instance(instanceName);
  validatePaging(input.num, input.start);
  const pic = await describePicture(ctx, instance, input, 'query');
  const t1 = performance.now();
  const p = plan(input, pic.categoryKnown ? pic.categoryId : undefined);
  const { docsFound, hits, knnMs, rerankMs } = await rank(ctx, instance, pic.analysis.vector, p, pic.analysis.local);
  const t2 = performance.now();
  const a = pic.analysis.timings ?? {};
  return {
    docsFound, hits,
    query: { categoryId: pic.categoryId, region: pic.analysis.region, regions: pic.analysis.regions, width: pic.decoded.width, height: pic.decoded.height },
    // decode, detect, descriptor, local (features for re-ranking), knn (the planner's search),
    // rerank (geometric verification); describe = the whole picture stage, rank = the rest.
    timings: {
      decode: pic.decodeMs, ...(a.detect !== undefined ? { detect: a.detect } : {}), ...(a.describe !== undefined ? { descriptor: a.describe } : {}),
      ...(a.local !== undefined ? { local: a.local } : {}), knn: knnMs, ...(rerankMs > 1e-3 ? { rerank: rerankMs } : {}),
      describe: t1 - t0, rank: t2 - t1, total: t2 - t0,
    },
  };
}

/**
 * Search with an indexed image as the query (the image itself is the first hit, score 1; below 1
 * when the index expands queries).
 * @throws INSTANCE_NOT_FOUND, PRODUCT_ID_*, PIC_NAME_*, IMAGE_NOT_FOUND, and the option errors
 */
export async function searchByImage(ctx: EngineContext, instanceName: string, key: { productId: unknown; picName: unknown }, options: SearchOptions): Promise<SearchResult> {
  const t0 = performance.now();
  const instance = await ctx.instance(instanceName);
  const productId = validateProductId(key.productId);
  const picName = validatePicName(key.picName);
  const image = await ctx.store.getImage(instance.name, { productId, picName });
  if (!image) throw new TusouError('IMAGE_NOT_FOUND', { productId, picName });
  const stored = (await ctx.store.getVectors(instance.descriptor, [image.label])).get(image.label);
  if (!stored) throw new Error(`image ${image.label} has no ${instance.descriptor} vector`);
  // A multi-part vector (faces) is searched by its first part: the image's main face.
  const e = getExtractor(instance.descriptor);
  const vector = e.parts ? stored.subarray(0, e.dim) : stored;
  let categoryId: number | undefined;
  if (instance.serviceType === 'product') {
    const given = options.categoryId;
    categoryId = given === undefined || given === null || given === '' ? image.categoryId : validateCategory('product', given);
  }
  const local = instance.reranker ? (await ctx.store.getVectors(instance.reranker, [image.label])).get(image.label) : undefined;
  const { docsFound, hits } = await rank(ctx, instance, vector, plan(options, categoryId), local instanceof Uint8Array ? local : undefined);
  return {
    docsFound, hits,
    query: { categoryId: categoryId ?? OTHER_CATEGORY, region: image.region, regions: image.regions, width: image.width, height: image.height },
    timings: { total: performance.now() - t0 },
  };
}

/**
 * List images matching a filter (no similarity), oldest first.
 * @throws INSTANCE_NOT_FOUND, FILTER_*, NUM_INVALID, START_INVALID, RESULT_WINDOW_EXCEEDED
 */
export async function searchByFilter(ctx: EngineContext, instanceName: string, options: Pick<SearchOptions, 'num' | 'start' | 'filter' | 'categoryId'>): Promise<{ docsFound: number; images: ImageRecord[] }> {
  const instance = await ctx.instance(instanceName);
  const categoryId = options.categoryId === undefined || options.categoryId === null || options.categoryId === ''
    ? undefined : validateCategory(instance.serviceType, options.categoryId);
  const p = plan(options, categoryId);
  const [docsFound, images] = await Promise.all([
    ctx.store.countImages(instance.name, p.selection),
    ctx.store.listImages(instance.name, p.selection, { offset: p.start, limit: p.num }),
  ]);
  return { docsFound, images };
}
