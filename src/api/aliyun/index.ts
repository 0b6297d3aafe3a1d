// Public surface of the Alibaba-compatible front-end.
export { AliyunApi, type AliyunApiOptions } from './aliyun-api.js';
export type { KeyLookup, KeyRecord } from './signature.js';
