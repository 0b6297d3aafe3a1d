// Public surface of the domain layer: types, categories, filter grammar, validation, errors.
export * from './types.js';
export * from './categories.js';
export * from './errors.js';
export * from './filter.js';
export * from './validate.js';
export * from './metric.js';
export * from './vocabulary.js';
export * from './access-keys.js';
export * from './tasks.js';
export * from './random.js';
