// Public surface of the engine.
export { createEngine, type Engine, type EngineDeps, type EngineStats, type DescriptorInfo } from './engine.js';
export type { EngineOptions } from './context.js';
export type { AddImageInput, AddImageResult } from './add-image.js';
export type { CreateInstanceInput, InstanceDetail } from './instances.js';
export type { SearchByPictureInput, SearchByTextInput, SearchOptions, SearchResult, SearchHit } from './search.js';
export type { CompareResult } from './compare.js';
export type { DeleteInput, KeyInput } from './images.js';
export type { PictureInput } from './picture.js';
export type { OpenReport } from './index-registry.js';
export { nearest, type PlannerParts } from './planner.js';
export type { CheckReport, InstanceCheck } from './check.js';
export type { ReindexInput, ReindexResult } from './reindex.js';
export type { RenderOptions, Thumbnail } from './render.js';
export { regionAnnotations, DEFAULT_THUMBNAIL_PX } from './render.js';
export type { IncrementInput, TaskHooks, TaskListInput, TaskOptions, TaskFileRole } from './tasks.js';
export { META_FILE } from './tasks.js';
export { exportLine, parseMetaLine, type MetaItem } from './meta-file.js';
export type { AccessKeyInput } from './access-keys.js';
