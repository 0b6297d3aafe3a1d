// Domain types shared by every layer: instances, image records, regions, metrics, pixels.

/** Distance measures; each index and descriptor declares which it supports. */
export const METRICS = ['cosine', 'l2', 'l1', 'hamming', 'jaccard'] as const;
export type Metric = (typeof METRICS)[number];

/**
 * Service types: the cloud product's (aliyun-imagesearch-api.md §2.4) plus `face`, tusou's face
 * search (each face of an image is indexed; docs/faces.md). `face` behaves as `generic` for
 * categories and is reported as generic (1) on the Alibaba wire.
 */
export const SERVICE_TYPES = ['product', 'generic', 'face'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** The descriptor of a new instance when its creator names none, per service type (faces have their own). */
export interface DefaultDescriptors {
  product: string;
  generic: string;
}

/** The reranker of a new instance when its creator names none, per service type (absent: none). */
export interface DefaultRerankers {
  product?: string;
  generic?: string;
}

/** An instance: a named collection of images with its own index. */
export interface Instance {
  name: string;
  serviceType: ServiceType;
  /** Maximum number of images. */
  capacity: number;
  /** Feature descriptor id (with version) used for the index, e.g. `colour-hist-rgb512@1`. */
  descriptor: string;
  metric: Metric;
  /** Index spec, e.g. `hnsw:m=16,efc=100,ef=100` or `flat`. */
  index: string;
  /** Reranker id (e.g. `orb-ransac@1`): verify the global ranking's first candidates with local features. */
  reranker?: string;
  createdAt: number;
}

/** A box in pixels of the (orientation-corrected) image: top-left (x1,y1), bottom-right (x2,y2), exclusive. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A detected object or salient area. */
export interface DetectedRegion {
  box: Box;
  /** Detector label (e.g. a COCO class) or `salient` for the fallback. */
  label: string;
  /** Category predicted from the label, when the service type has categories. */
  categoryId?: number;
  score: number;
}

/** The filterable and returned attributes of an image (aliyun-imagesearch-api.md §2.8). */
export interface ImageAttributes {
  categoryId: number;
  intAttr: number;
  intAttr2: number;
  intAttr3: number;
  intAttr4: number;
  strAttr: string;
  strAttr2: string;
  strAttr3: string;
  strAttr4: string;
  customContent: string;
}

export const INT_ATTRS = ['intAttr', 'intAttr2', 'intAttr3', 'intAttr4'] as const;
export const STR_ATTRS = ['strAttr', 'strAttr2', 'strAttr3', 'strAttr4'] as const;
export type IntAttrName = (typeof INT_ATTRS)[number];
export type StrAttrName = (typeof STR_ATTRS)[number];

/** The key of an image inside an instance. */
export interface ImageKey {
  productId: string;
  picName: string;
}

/** A stored image: key, attributes, and what tusou knows about its pixels. */
export interface ImageRecord extends ImageKey, ImageAttributes {
  /** Internal index label; unique in the store, changes when the image is replaced. */
  label: number;
  /** The box the descriptor was computed on. */
  region: Box;
  /** Every detected region. */
  regions: DetectedRegion[];
  width: number;
  height: number;
  format: string;
  /** SHA-256 (hex) of the original bytes, the key of the kept original. */
  sha256: string;
  bytes: number;
  createdAt: number;
  updatedAt: number;
}

/** Decoded pixels, row-major RGB (3 channels, 8 bits). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A feature vector: floats, or packed bits for binary codes. */
export type Vector = Float32Array | Uint8Array;

/** A clock, passed in so tests control time. */
export type Clock = () => number;

/**
 * Most vectors one image can hold under a multi-part descriptor (one per face): the face
 * pipeline keeps the largest this many faces, and the parts index addresses this many per label.
 */
export const MAX_VECTOR_PARTS = 16;
