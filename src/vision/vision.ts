// The vision facade the engine calls: choose the region to describe (caller's box, detected main
// subject, or the whole picture), predict a category, and extract the instance's descriptor from
// that region. Models run in the worker pool; cheap descriptors run inline.

import { fullBox, type Box, type DetectedRegion, type Vector } from '../domain/index.js';
import { toRaw, type DecodedImage } from '../imaging/index.js';
import { COCO_LABELS, categoryOfLabel } from './categories.js';
import { mainRegion, selectRegions, DEFAULT_REGION_OPTIONS, type RegionOptions } from './detectors/regions.js';
import { SALIENCY_PX, salientRegion } from './detectors/saliency.js';
import type { FeatureExtractor } from './feature-extractor.js';
import { getReranker } from './local/rerankers.js';
import { VisionPool, type PoolStats, type VisionPoolOptions } from './pool.js';
import type { Verdict, VisionTask } from './protocol.js';
import { getExtractor } from './registry.js';
import { CENTERNET } from './tf/models.js';
import { centerNetBackbone } from './descriptors/centernet-backbone.js';
import { analyseFaces } from './faces.js';

export interface AnalyseRequest {
  /** Descriptor id of the instance. */
  descriptor: string;
  /** Detect the main subject and describe it (the cloud's `Crop`); else describe the whole image. */
  detect: boolean;
  /** A caller's region, which overrides detection (aliyun-imagesearch-api.md §2.7). */
  region?: Box;
  /** Predict product categories (product service type only). */
  predictCategory?: boolean;
  /** Also compute a reranker's local features of the region (a query also gets its mirror image's). */
  local?: { reranker: string; form: 'database' | 'query' };
}

export interface Analysis {
  /** The box the vector was computed on. */
  region: Box;
  /** Every detected object (empty when detection is off or found nothing). */
  regions: DetectedRegion[];
  /** Category predicted from the main detection, if any. */
  categoryId?: number;
  vector: Vector;
  /**
   * Multi-part descriptors (faces): every part's vector concatenated, `vector` first, in the
   * order of `regions`. This, not `vector`, is what an image stores.
   */
  parts?: Vector;
  /** The reranker's local-feature blob, when `local` was asked for. */
  local?: Uint8Array;
  /** Milliseconds spent per stage (for benchmarks and the search response). */
  timings?: { detect?: number; describe?: number; local?: number };
}

export interface Vision {
  analyse(img: DecodedImage, req: AnalyseRequest): Promise<Analysis>;
  /**
   * Embed a text query with a descriptor that can (`FeatureExtractor.embedText`), in the pool.
   * @throws DESCRIPTOR_UNKNOWN, VISION_WORKER_FAILED
   */
  embedText(descriptor: string, text: string): Promise<Vector>;
  /**
   * A reranker's verdict for each candidate (its stored local features; `mirror`: also try the
   * query's mirror image): confidence and inlier keypoints, verified in the pool, spread over the workers.
   * @throws DESCRIPTOR_UNKNOWN, VISION_WORKER_FAILED, SERVER_BUSY
   */
  verify(reranker: string, query: Uint8Array, candidates: readonly { blob: Uint8Array; mirror: boolean }[]): Promise<Verdict[]>;
  /**
   * Start the workers and load the models the detector and these descriptors need, so the first
   * requests do not wait for model loading; resolves at once when nothing needs a worker.
   */
  warm(descriptors: readonly string[]): Promise<void>;
  /** The worker pool's queue and workers (zeros before it starts). */
  stats(): PoolStats;
  close(): Promise<void>;
}

/** Which subject detector `detect: true` uses. */
export type DetectorName = 'centernet' | 'saliency';

export interface VisionOptions {
  /** A pool to use (and close), or options for one the facade creates on first need. */
  pool?: VisionPool | VisionPoolOptions;
  /** `centernet` (default): COCO objects, saliency when none; `saliency`: no model at all. */
  detector?: DetectorName;
  regions?: RegionOptions;
  /** Folder of registered user models, so the pool's workers know those descriptors too. */
  modelsDir?: string;
}

const sameBox = (a: Box, b: Box) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

/**
 * The vision pipeline. Detection (CenterNet) and CNN descriptors run in a worker pool created on
 * first use, so building a Vision is free and the event loop never runs a model.
 */
export function createVision(opts: VisionOptions = {}): Vision {
  const regionOpts = opts.regions ?? DEFAULT_REGION_OPTIONS;
  const detector = opts.detector ?? 'centernet';
  let pool: VisionPool | undefined = opts.pool instanceof VisionPool ? opts.pool : undefined;
  const getPool = () => (pool ??= new VisionPool({
    ...(opts.pool instanceof VisionPool ? {} : opts.pool),
    ...(opts.modelsDir ? { workerData: { modelsDir: opts.modelsDir } } : {}),
  }));

  async function salient(img: DecodedImage): Promise<DetectedRegion> {
    const t = await toRaw(img, { width: SALIENCY_PX, height: SALIENCY_PX, fit: 'fill' });
    return salientRegion(t.data, t.width, t.height, img.width, img.height, t.channels);
  }

  /** Detected regions, the main one, and the whole-picture backbone vector the pass gave for free. */
  async function detect(img: DecodedImage, predictCategory: boolean) {
    if (detector === 'saliency') return { regions: [] as DetectedRegion[], main: await salient(img), backbone: undefined };
    const S = CENTERNET.inputPx;
    const pixels = await toRaw(img, { width: S, height: S, fit: 'fill' });
    const out = await getPool().run({ op: 'detect', pixels });
    const regions = selectRegions(out.detections, { width: S, height: S }, img, (i) => COCO_LABELS[i] ?? 'unknown', regionOpts);
    if (predictCategory) {
      for (const r of regions) {
        const c = categoryOfLabel(r.label);
        if (c !== undefined) r.categoryId = c;
      }
    }
    const main = mainRegion(regions, img.width, img.height, regionOpts) ?? await salient(img);
    return { regions, main, backbone: out.backbone };
  }

  async function describe(extractor: FeatureExtractor, img: DecodedImage, region: Box): Promise<Vector> {
    const pixels = await toRaw(img, { box: region, ...extractor.input });
    if (extractor.pooled) return getPool().run({ op: 'extract', descriptor: extractor.id, pixels });
    return extractor.extract(pixels);
  }

  return {
    async analyse(img, req) {
      const extractor = getExtractor(req.descriptor);
      // Faces are always detected (a face descriptor needs a face); Crop does not apply.
      if (extractor.faces) return analyseFaces((pixels) => getPool().run({ op: 'faces', pixels }), img, extractor.dim, req.region);
      const whole = fullBox(img.width, img.height);
      const timings: NonNullable<Analysis['timings']> = {};
      // Local features (the grey picture cut here with sharp, ORB in the pool) run beside the
      // descriptor, on another worker when there is one.
      const timed = async <T>(stage: 'describe' | 'local', work: Promise<T>): Promise<T> => {
        const start = performance.now();
        const v = await work;
        timings[stage] = performance.now() - start;
        return v;
      };
      const localOf = async (region: Box): Promise<Uint8Array | undefined> => {
        if (!req.local) return undefined;
        const { reranker, form } = req.local;
        const pixels = await getReranker(reranker).prepare(img, region);
        return timed('local', getPool().run({ op: 'local', reranker, pixels, form }) as Promise<Uint8Array>);
      };
      // The region: the caller's, the whole picture, or the detected main subject.
      let found: Pick<Analysis, 'region' | 'regions' | 'categoryId'>;
      let vector: Promise<Vector>;
      if (req.region || !req.detect) {
        found = { region: req.region ?? whole, regions: [] };
        vector = describe(extractor, img, found.region);
      } else {
        const start = performance.now();
        const d = await detect(img, req.predictCategory ?? false);
        timings.detect = performance.now() - start;
        found = { region: d.main.box, regions: d.regions, categoryId: d.main.categoryId };
        // The detection pass already computed the backbone descriptor of the whole picture.
        vector = extractor.id === centerNetBackbone.id && d.backbone && sameBox(found.region, whole)
          ? Promise.resolve(d.backbone) : describe(extractor, img, found.region);
      }
      const [v, local] = await Promise.all([timed('describe', vector), localOf(found.region)]);
      return { ...found, vector: v, ...(local ? { local } : {}), timings };
    },
    async embedText(descriptor, text) {
      const extractor = getExtractor(descriptor);
      if (!extractor.embedText) throw new Error(`descriptor ${descriptor} cannot embed text`);
      return getPool().run({ op: 'embed-text', descriptor, text });
    },
    async verify(reranker, query, candidates) {
      if (candidates.length === 0) return [];
      // Two chunks per worker: the workers share the work, and one slow pair does not hold up the rest.
      const size = Math.ceil(candidates.length / (2 * getPool().size));
      const chunks = Array.from({ length: Math.ceil(candidates.length / size) }, (_, i) => candidates.slice(i * size, (i + 1) * size));
      // The search was admitted when its picture was described: its verifications are not refused.
      const results = await Promise.all(chunks.map((chunk) => getPool().run({ op: 'verify', reranker, query, candidates: chunk }, { admitted: true })));
      return results.flat();
    },
    async warm(descriptors) {
      const blank = (width: number, height: number, channels: number) => ({ data: new Uint8Array(width * height * channels).fill(128), width, height, channels });
      const samples = (): VisionTask[] => {
        const tasks: VisionTask[] = [];
        if (detector === 'centernet') tasks.push({ op: 'detect', pixels: blank(CENTERNET.inputPx, CENTERNET.inputPx, 3) });
        for (const id of new Set(descriptors)) {
          const e = getExtractor(id);
          if (e.pooled) tasks.push({ op: 'extract', descriptor: id, pixels: blank(e.input.width, e.input.height, e.input.grey ? 1 : 3) });
        }
        return tasks;
      };
      if (samples().length === 0) return;
      await getPool().warm(samples);
    },
    stats() {
      return pool?.stats() ?? { queued: 0, busy: 0, workers: 0, rejected: 0 };
    },
    async close() {
      await pool?.close();
    },
  };
}
