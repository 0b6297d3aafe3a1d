// The vision facade the engine calls: choose the region to describe, detect objects, predict a
// category, and extract the instance's descriptor from the chosen region.

import { fullBox, type Box, type DetectedRegion, type Vector } from '../domain/index.js';
import { toRaw, type DecodedImage } from '../imaging/index.js';
import { getExtractor } from './registry.js';

export interface AnalyseRequest {
  /** Descriptor id of the instance. */
  descriptor: string;
  /** Detect the main subject and describe it (the cloud's `Crop`); else describe the whole image. */
  detect: boolean;
  /** A caller's region, which overrides detection (aliyun-imagesearch-api.md §2.7). */
  region?: Box;
}

export interface Analysis {
  /** The box the vector was computed on. */
  region: Box;
  /** Every detected object (empty when detection is off or found nothing). */
  regions: DetectedRegion[];
  /** Category predicted from the main detection, if any. */
  categoryId?: number;
  vector: Vector;
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
      return { region, regions: [], vector: await extractor.extract(pixels) };
    },
    async close() {},
  };
}
