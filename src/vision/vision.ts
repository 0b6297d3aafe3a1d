// The vision facade the engine calls: choose the region to describe, detect objects, predict a
// category, and extract the instance's descriptor from the chosen region.

import { fullBox, type Box, type DetectedRegion, type Vector } from '../domain/index.js';
import { toRaw, type DecodedImage } from '../imaging/index.js';
import { getReranker } from './local/rerankers.js';
import { getExtractor } from './registry.js';

export interface AnalyseRequest {
  /** Descriptor id of the instance. */
  descriptor: string;
  /** Detect the main subject and describe it (the cloud's `Crop`); else describe the whole image. */
  detect: boolean;
  /** A caller's region, which overrides detection (aliyun-imagesearch-api.md §2.7). */
  region?: Box;
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
  /** The reranker's local-feature blob, when `local` was asked for. */
  local?: Uint8Array;
}

export interface Vision {
  analyse(img: DecodedImage, req: AnalyseRequest): Promise<Analysis>;
  close(): Promise<void>;
}

/** A vision pipeline without a detector: the region is the caller's or the whole picture. */
export function createVision(): Vision {
  return {
    async analyse(img, req) {
      const extractor = getExtractor(req.descriptor);
      const region = req.region ?? fullBox(img.width, img.height);
      const pixels = await toRaw(img, { box: region, ...extractor.input });
      const vector = await extractor.extract(pixels);
      const local = req.local ? await getReranker(req.local.reranker).describe(img, region, req.local.form) : undefined;
      return { region, regions: [], vector, local };
    },
    async close() {},
  };
}
