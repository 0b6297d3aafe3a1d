// Public surface of imaging: decode/validate pictures, cut model inputs, draw regions, thumbnails.
export { decodeImage, toRaw, sniffFormat, WORK_PX, type DecodedImage, type ImageLimits, type RawRequest } from './decode.js';
export { decodeBase64Picture } from './base64.js';
export { annotatePicture, annotationText, overlaySvg, ANNOTATION_RGB, type Annotation, type AnnotatedPicture, type AnnotateOptions } from './annotate.js';
export { makeThumbnail, THUMBNAIL_SIZES, THUMBNAIL_TYPE } from './thumbnail.js';
