// Public surface of vision: descriptors and their registry, the analysis facade, the worker pool
// that runs models, and the detector-label → product-category table.
export type { FeatureExtractor, ExtractorInput, Pixels } from './feature-extractor.js';
export { listExtractors, getExtractor, hasExtractor, successorOf, addExtractorSource, type ExtractorSource } from './registry.js';
export { UserModels, pullModel, PULL_FILES, type UserModelInfo, type AddModelOptions } from './user-models.js';
export { faceApiRecognition } from './descriptors/face-api-recognition.js';
export { createVision, type Vision, type Analysis, type AnalyseRequest, type VisionOptions, type DetectorName } from './vision.js';
export { VisionPool, type PoolStats, type VisionPoolOptions } from './pool.js';
export { COCO_LABELS, categoryOfLabel } from './categories.js';
export { listRerankers, getReranker } from './local/rerankers.js';
export type { Reranker, RerankEvidence } from './local/reranker.js';
export type { Verdict } from './protocol.js';
export { l2normalise } from './descriptors/vector-ops.js';
