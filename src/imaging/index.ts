// Public surface of imaging: decode/validate pictures and cut model inputs from them.
export { decodeImage, toRaw, sniffFormat, WORK_PX, type DecodedImage, type ImageLimits, type RawRequest } from './decode.js';
export { decodeBase64Picture } from './base64.js';
