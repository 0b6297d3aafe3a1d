// Public surface of vision: descriptors, their registry and the analysis facade.
export type { FeatureExtractor, ExtractorInput } from './feature-extractor.js';
export { listExtractors, getExtractor, hasExtractor, successorOf } from './registry.js';
export { listRerankers, getReranker } from './local/rerankers.js';
export type { Reranker, RerankEvidence } from './local/reranker.js';
export { createVision, type Vision, type Analysis, type AnalyseRequest } from './vision.js';
