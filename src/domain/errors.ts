// The one error catalogue: every error tusou can raise, with its REST status, its Alibaba code
// and a message built from named parameters. Codes are never renamed or reused once released.

type Msg<P> = (p: P) => string;

interface Entry<P> {
  /** HTTP status on the REST API. */
  status: number;
  /** Alibaba Cloud error code (aliyun-imagesearch-api.md §5.2/§5.3). */
  aliyun: string | ((p: P) => string);
  /** HTTP status on the Alibaba-compatible API when it differs from `status`. */
  aliyunStatus?: number;
  message: Msg<P>;
}

const entry = <P = Record<string, never>>(e: Entry<P>): Entry<P> => e;

type FieldGot = { field: string; expected: string; got: string };

/** The catalogue. Keys are the stable codes used in REST bodies, logs and docs/errors.md. */
export const ERRORS = {
  // -- request shape
  PARAM_MISSING: entry<{ field: string }>({
    status: 400, aliyun: (p) => `Missing${p.field}`,
    message: (p) => `${p.field} is required`,
  }),
  PARAM_INVALID: entry<FieldGot>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `${p.field} must be ${p.expected}; got ${p.got}`,
  }),
  BODY_TOO_LARGE: entry<{ bytes: number; maxBytes: number }>({
    status: 413, aliyun: 'BadRequest', aliyunStatus: 400,
    message: (p) => `request body is larger than the limit of ${p.maxBytes} bytes (got at least ${p.bytes})`,
  }),
  BODY_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `request body could not be read: ${p.reason}`,
  }),
  ROUTE_NOT_FOUND: entry<{ method: string; path: string }>({
    status: 404, aliyun: 'InvalidApi.NotFound',
    message: (p) => `no route for ${p.method} ${p.path}`,
  }),

  // -- instances
  INSTANCE_NAME_MISSING: entry({
    status: 400, aliyun: 'InvalidInstanceName',
    message: () => 'InstanceName is required',
  }),
  INSTANCE_NAME_INVALID: entry<{ name: string }>({
    status: 400, aliyun: 'InvalidInstance',
    message: (p) => `instance name must be 1..20 characters of [A-Za-z0-9_-]; got ${p.name}`,
  }),
  INSTANCE_NOT_FOUND: entry<{ name: string }>({
    status: 404, aliyun: 'InvalidInstance', aliyunStatus: 400,
    message: (p) => `instance ${p.name} does not exist`,
  }),
  INSTANCE_EXISTS: entry<{ name: string }>({
    status: 409, aliyun: 'BadRequest', aliyunStatus: 400,
    message: (p) => `instance ${p.name} already exists`,
  }),
  INSTANCE_FULL: entry<{ name: string; capacity: number }>({
    status: 409, aliyun: 'InstanceOverQuota', aliyunStatus: 400,
    message: (p) => `instance ${p.name} is full: its capacity is ${p.capacity} images`,
  }),
  INSTANCE_REINDEX_REQUIRED: entry<{ name: string; descriptor: string }>({
    status: 409, aliyun: 'InstanceStatusError',
    message: (p) => `instance ${p.name} uses descriptor ${p.descriptor}, which this version of tusou does not have; reindex it with another descriptor (tusou reindex ${p.name} --descriptor ID)`,
  }),
  INSTANCE_BUSY: entry<{ name: string }>({
    status: 503, aliyun: 'InstanceStatusError', aliyunStatus: 409,
    message: (p) => `instance ${p.name} is switching to a new descriptor; retry in a moment`,
  }),
  INSTANCE_OPERATION_UNSUPPORTED: entry<{ name: string; serviceType: string; operation: string }>({
    status: 400, aliyun: 'UnsupportedInstanceType', aliyunStatus: 500,
    message: (p) => `${p.operation} is not available on instance ${p.name} (service type ${p.serviceType})`,
  }),

  // -- image keys and metadata
  PRODUCT_ID_MISSING: entry({
    status: 400, aliyun: 'NoSpecifiedProductId', message: () => 'ProductId is required',
  }),
  PRODUCT_ID_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'InvalidProductId', message: (p) => `ProductId is invalid: ${p.reason}`,
  }),
  PIC_NAME_MISSING: entry({
    status: 400, aliyun: 'NoSpecifiedPicName', message: () => 'PicName is required',
  }),
  PIC_NAME_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'InvalidPicName', message: (p) => `PicName is invalid: ${p.reason}`,
  }),
  IMAGE_NOT_FOUND: entry<{ productId: string; picName: string }>({
    status: 404, aliyun: 'PicNotExist', aliyunStatus: 400,
    message: (p) => `no image with ProductId ${JSON.stringify(p.productId)} and PicName ${JSON.stringify(p.picName)}`,
  }),
  CATEGORY_INVALID: entry<{ got: string }>({
    status: 400, aliyun: 'InvalidCategory',
    message: (p) => `CategoryId must be one of the category table's ids; got ${p.got}`,
  }),
  ATTR_INT_INVALID: entry<{ field: string; got: string }>({
    status: 400, aliyun: (p) => `Invalid${p.field}`,
    message: (p) => `${p.field} must be a 32-bit integer; got ${p.got}`,
  }),
  ATTR_STR_INVALID: entry<{ field: string; reason: string }>({
    status: 400, aliyun: (p) => `Invalid${p.field}`,
    message: (p) => `${p.field} is invalid: ${p.reason}`,
  }),
  CUSTOM_CONTENT_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'InvalidCustomContent',
    message: (p) => `CustomContent is invalid: ${p.reason}`,
  }),
  REGION_INVALID: entry<{ got: string; reason: string }>({
    status: 400, aliyun: 'InvalidRegion',
    message: (p) => `Region must be "x1,x2,y1,y2" with x1<x2, y1<y2 inside the image (${p.reason}); got ${p.got}`,
  }),

  // -- image bytes
  IMAGE_MISSING: entry({
    status: 400, aliyun: 'NoSpecifiedPicContent', message: () => 'no picture was given',
  }),
  IMAGE_EMPTY: entry({
    status: 400, aliyun: 'InvalidPicContent', message: () => 'the picture is empty (0 bytes)',
  }),
  IMAGE_TOO_LARGE: entry<{ bytes: number; maxBytes: number }>({
    status: 413, aliyun: 'InvalidPicContent', aliyunStatus: 400,
    message: (p) => `the picture is ${p.bytes} bytes; the limit is ${p.maxBytes}`,
  }),
  IMAGE_BASE64_INVALID: entry({
    status: 400, aliyun: 'InvalidPicContent',
    message: () => 'PicContent is neither a valid base64 string nor a known upload URL',
  }),
  IMAGE_FORMAT_UNSUPPORTED: entry<{ format: string }>({
    status: 415, aliyun: 'UnsupportedPicFormat', aliyunStatus: 400,
    message: (p) => `picture format ${p.format} is not supported; use JPEG, PNG, WebP, GIF, TIFF or AVIF`,
  }),
  IMAGE_CORRUPT: entry<{ format: string; reason: string }>({
    status: 400, aliyun: 'InvalidPicContent',
    message: (p) => `the ${p.format} picture cannot be decoded: ${p.reason}`,
  }),
  IMAGE_PIXELS_OUT_OF_RANGE: entry<{ width: number; height: number; minPx: number; maxPx: number }>({
    status: 400, aliyun: 'UnsupportedPicPixels',
    message: (p) => `picture is ${p.width}x${p.height} px; width and height must be within ${p.minPx}..${p.maxPx}`,
  }),
  IMAGE_URL_REJECTED: entry<{ url: string; reason: string }>({
    status: 400, aliyun: 'InvalidPicUrl',
    message: (p) => `picture URL ${p.url} was not fetched: ${p.reason}`,
  }),
  IMAGE_URL_TIMEOUT: entry<{ url: string; timeoutMs: number }>({
    status: 400, aliyun: 'TimeoutForTransferImage',
    message: (p) => `picture URL ${p.url} did not deliver the picture within ${p.timeoutMs} ms`,
  }),
  UPLOAD_POLICY_INVALID: entry<{ reason: string }>({
    status: 403, aliyun: 'InvalidPolicyDocument', aliyunStatus: 400,
    message: (p) => `the upload was refused: ${p.reason}`,
  }),

  // -- search
  FILTER_SYNTAX: entry<{ position: number; expected: string; got: string }>({
    status: 400, aliyun: 'InvalidFilterClause',
    message: (p) => `Filter syntax error at character ${p.position}: expected ${p.expected}; got ${p.got}`,
  }),
  FILTER_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'InvalidFilterClause',
    message: (p) => `Filter is invalid: ${p.reason}`,
  }),
  NUM_INVALID: entry<{ got: string }>({
    // `got` is shown() output, so a string parameter arrives quoted ("101").
    status: 400, aliyun: (p) => (/^"?\d+"?$/.test(p.got) && Number(p.got.replace(/"/g, '')) > 100 ? 'OverflowMaxReturnNum' : 'InvalidNumParameter'),
    message: (p) => `Num must be an integer in 1..100; got ${p.got}`,
  }),
  START_INVALID: entry<{ got: string }>({
    status: 400, aliyun: 'InvalidStartParameter',
    message: (p) => `Start must be an integer in 0..499; got ${p.got}`,
  }),
  RESULT_WINDOW_EXCEEDED: entry<{ start: number; num: number }>({
    status: 400, aliyun: 'OverflowMaxResultNum',
    message: (p) => `Start + Num must not exceed 500; got ${p.start} + ${p.num}`,
  }),
  SCORE_THRESHOLD_INVALID: entry<{ got: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `ScoreThreshold must be a number in 0..1 with at most 2 decimals; got ${p.got}`,
  }),
  TEXT_INVALID: entry<{ reason: string }>({
    status: 400, aliyun: 'InvalidText', message: (p) => `Text is invalid: ${p.reason}`,
  }),

  // -- configuration of instances and indexes
  METRIC_INVALID: entry<{ metric: string; allowed: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `metric ${p.metric} is not available here; use one of ${p.allowed}`,
  }),
  INDEX_SPEC_INVALID: entry<{ spec: string; reason: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `index spec ${JSON.stringify(p.spec)} is invalid: ${p.reason}`,
  }),
  DESCRIPTOR_UNKNOWN: entry<{ descriptor: string; known: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `descriptor ${p.descriptor} is unknown; known descriptors: ${p.known}`,
  }),

  // -- faces and user-provided models
  FACE_NOT_FOUND: entry<{ where: string }>({
    status: 400, aliyun: 'InvalidPicContent',
    message: (p) => `no face was found in ${p.where}; a face instance indexes and searches faces only`,
  }),
  MODEL_INVALID: entry<{ name: string; reason: string }>({
    status: 400, aliyun: 'BadRequest',
    message: (p) => `model ${p.name} cannot be used: ${p.reason}`,
  }),
  MODEL_EXISTS: entry<{ name: string }>({
    status: 409, aliyun: 'BadRequest', aliyunStatus: 400,
    message: (p) => `model ${p.name} is already registered; use --replace to register new files under a new version`,
  }),
  MODEL_NOT_FOUND: entry<{ name: string; known: string }>({
    status: 404, aliyun: 'BadRequest', aliyunStatus: 400,
    message: (p) => `model ${p.name} is not registered; registered models: ${p.known}`,
  }),

  // -- authentication and quotas
  AUTH_REQUIRED: entry({
    status: 401, aliyun: 'IncompleteSignature', aliyunStatus: 400,
    message: () => 'this request must be authenticated with an access key',
  }),
  AUTH_KEY_INVALID: entry({
    status: 401, aliyun: 'InvalidAccessKeyId', aliyunStatus: 400,
    message: () => 'the access key is not valid: send Authorization: Bearer <AccessKeyId>:<AccessKeySecret> of an active key',
  }),
  AUTH_SIGNATURE_INCOMPLETE: entry<{ reason: string }>({
    status: 400, aliyun: 'IncompleteSignature',
    message: (p) => `the request signature is incomplete: ${p.reason}`,
  }),
  AUTH_KEY_NOT_FOUND: entry<{ accessKeyId: string }>({
    status: 404, aliyun: 'InvalidAccessKeyId.NotFound',
    message: (p) => `access key ${p.accessKeyId} does not exist`,
  }),
  AUTH_KEY_REVOKED: entry<{ accessKeyId: string }>({
    status: 401, aliyun: 'InvalidAccessKeyId.Inactive', aliyunStatus: 400,
    message: (p) => `access key ${p.accessKeyId} was revoked`,
  }),
  AUTH_SIGNATURE_MISMATCH: entry({
    status: 400, aliyun: 'SignatureDoesNotMatch',
    message: () => 'the request signature does not match; check the access key secret and the signing method',
  }),
  AUTH_TIMESTAMP_INVALID: entry<{ got: string }>({
    status: 400, aliyun: 'InvalidTimeStamp.Format',
    message: (p) => `the request timestamp must be ISO 8601 UTC (YYYY-MM-DDTHH:mm:ssZ); got ${p.got}`,
  }),
  AUTH_TIMESTAMP_EXPIRED: entry<{ got: string; windowS: number }>({
    status: 400, aliyun: 'InvalidTimeStamp.Expired',
    message: (p) => `the request timestamp ${p.got} is more than ${p.windowS} s away from the server time`,
  }),
  AUTH_NONCE_USED: entry({
    status: 400, aliyun: 'SignatureNonceUsed',
    message: () => 'the signature nonce was already used; every request needs a new nonce',
  }),
  AUTH_FORBIDDEN: entry<{ reason: string }>({
    status: 403, aliyun: 'NoPermission',
    message: (p) => `this access key may not do this: ${p.reason}`,
  }),
  API_ACTION_UNKNOWN: entry<{ action: string }>({
    status: 404, aliyun: 'InvalidApi.NotFound',
    message: (p) => `the action ${p.action} does not exist (action names are case-sensitive)`,
  }),
  API_VERSION_INVALID: entry<{ version: string; supported: string }>({
    status: 400, aliyun: 'InvalidVersion',
    message: (p) => `API version ${p.version} is not supported; use ${p.supported}`,
  }),
  QUOTA_QPS_EXCEEDED: entry<{ scope: string; qps: number; retryAfterS: number }>({
    status: 429, aliyun: 'DeniedRequest', aliyunStatus: 403,
    message: (p) => `the QPS limit of ${p.qps} for ${p.scope} was exceeded; retry after ${p.retryAfterS} s`,
  }),
  SERVER_BUSY: entry<{ reason: string; retryAfterS: number }>({
    status: 503, aliyun: 'ServiceUnavailable',
    message: (p) => `the server is overloaded (${p.reason}); retry after ${p.retryAfterS} s`,
  }),
  REQUEST_TIMEOUT: entry<{ timeoutMs: number }>({
    status: 503, aliyun: 'ServiceUnavailable',
    message: (p) => `the request did not finish within ${p.timeoutMs} ms; a write may still complete, so check before retrying it`,
  }),

  // -- tasks
  TASK_ALREADY_RUNNING: entry<{ kind: string; instance: string }>({
    status: 409, aliyun: 'Console.TaskAlreadyExist',
    message: (p) => `a ${p.kind} task is already running on instance ${p.instance}`,
  }),
  TASK_NOT_FOUND: entry<{ id: number }>({
    status: 404, aliyun: 'Console.BadRequest', aliyunStatus: 400,
    message: (p) => `task ${p.id} does not exist`,
  }),
  PATH_INVALID: entry<{ path: string; reason: string }>({
    status: 400, aliyun: 'Console.BadRequest',
    message: (p) => `path ${JSON.stringify(p.path)} is not allowed: ${p.reason}`,
  }),
  TASK_INTERRUPTED: entry<{ reason: string }>({
    status: 500, aliyun: 'Console.InternalError',
    message: (p) => `the task was interrupted: ${p.reason}`,
  }),
  INCREMENT_LINE_INVALID: entry<{ line: number; reason: string }>({
    status: 400, aliyun: 'InvalidMetaItem',
    message: (p) => `increment.meta line ${p.line} is invalid: ${p.reason}`,
  }),
  INCREMENT_ALL_FAILED: entry<{ failed: number }>({
    status: 400, aliyun: 'InvalidMetaItem',
    message: (p) => `all ${p.failed} lines of increment.meta failed; see the error file`,
  }),

  // -- server side
  STORE_UNAVAILABLE: entry<{ reason: string }>({
    status: 503, aliyun: 'InternalError', aliyunStatus: 500,
    message: (p) => `the data store cannot take this write: ${p.reason}`,
  }),
  VISION_WORKER_FAILED: entry<{ reason: string }>({
    status: 500, aliyun: 'ExtractFeatureTimeout',
    message: (p) => `feature extraction failed: ${p.reason}`,
  }),
  INTERNAL: entry({
    status: 500, aliyun: 'InternalError',
    message: () => 'internal error; the request id identifies it in the server log',
  }),
} as const;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof ERRORS)[C]['message']>[0];

/** An expected failure with a catalogue code; anything else that is thrown is a bug. */
export class TusouError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorParams<C>;
  readonly status: number;

  constructor(code: C, ...args: ErrorParams<C> extends Record<string, never> ? [details?: ErrorParams<C>, options?: ErrorOptions] : [details: ErrorParams<C>, options?: ErrorOptions]) {
    const [details = {} as ErrorParams<C>, options] = args;
    const e = ERRORS[code] as Entry<ErrorParams<C>>;
    super(e.message(details), options);
    this.name = 'TusouError';
    this.code = code;
    this.details = details;
    this.status = e.status;
  }

  /** The Alibaba Cloud code and HTTP status for this error (before any per-action override). */
  get aliyun(): { code: string; status: number } {
    const e = ERRORS[this.code] as Entry<ErrorParams<C>>;
    const code = typeof e.aliyun === 'function' ? e.aliyun(this.details) : e.aliyun;
    return { code, status: e.aliyunStatus ?? e.status };
  }
}

/** True when `e` is a TusouError (optionally with one of the given codes). */
export function isTusouError(e: unknown, ...codes: ErrorCode[]): e is TusouError {
  return e instanceof TusouError && (codes.length === 0 || codes.includes(e.code));
}

/** Shorten a user-supplied value for an error message (never echo megabytes back). */
export function shown(value: unknown, max = 60): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
