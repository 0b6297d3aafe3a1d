// The Alibaba error envelope `{ RequestId, HostId, Code, Message }` with a 4xx/5xx status (never a
// 200 with Success:false: the SDK would not raise), and the small table of per-action quirks
// (aliyun-imagesearch-api.md §5). Handlers never build error JSON themselves.

import { ERRORS, type ErrorCode, type TusouError } from '../../domain/index.js';

/** An error as sent on the Alibaba wire. */
export interface AliyunError {
  status: number;
  code: string;
  message: string;
}

type Override = (e: TusouError) => { code: string; status?: number } | undefined;

const CONTROL_PLANE: Partial<Record<ErrorCode, Override>> = {
  // Control-plane actions answer with the console's codes (§5.2).
  INSTANCE_NOT_FOUND: () => ({ code: 'Console.InstanceNotFound', status: 400 }),
  PARAM_INVALID: () => ({ code: 'Console.BadRequest', status: 400 }),
  PARAM_MISSING: () => ({ code: 'Console.BadRequest', status: 400 }),
};

/** Per-action codes that differ from the catalogue's default Alibaba code. */
const OVERRIDES: Record<string, Partial<Record<ErrorCode, Override>>> = {
  AddImage: {
    REGION_INVALID: () => ({ code: 'RegionError' }),
  },
  CompareSimilarByImage: {
    IMAGE_FORMAT_UNSUPPORTED: () => ({ code: 'UnsupportedPictureFormat', status: 400 }),
    INSTANCE_NOT_FOUND: () => ({ code: 'Console.InstanceNotFound', status: 400 }),
    PARAM_MISSING: (e) => {
      const field = (e.details as { field?: string }).field;
      return field === 'PrimaryPicContent' || field === 'SecondaryPicContent' ? { code: `Invalid${field}` } : undefined;
    },
  },
  Detail: CONTROL_PLANE,
  DumpMeta: CONTROL_PLANE,
  DumpMetaList: CONTROL_PLANE,
  IncreaseInstance: CONTROL_PLANE,
  IncreaseList: CONTROL_PLANE,
};

/** The wire code, status and message of a catalogue error in an action. */
export function aliyunError(err: TusouError, action: string | undefined): AliyunError {
  const base = err.aliyun;
  const override = action ? OVERRIDES[action]?.[err.code]?.(err) : undefined;
  return { code: override?.code ?? base.code, status: override?.status ?? base.status, message: err.message };
}

/** The answer to an error that is a bug: logged by the caller, generic to the client. */
export const INTERNAL_ERROR: AliyunError = Object.freeze({ status: 500, code: 'InternalError', message: ERRORS.INTERNAL.message({}) });

/** The JSON body of an error. */
export function errorBody(e: AliyunError, requestId: string, hostId: string) {
  return { RequestId: requestId, HostId: hostId, Code: e.code, Message: e.message };
}

/** The XML body OSS answers errors with (read by the SDK's *Advance upload leg, §7). */
export function ossErrorXml(e: AliyunError, requestId: string, hostId: string): string {
  const x = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${x(e.code)}</Code><Message>${x(e.message)}</Message><RequestId>${x(requestId)}</RequestId><HostId>${x(hostId)}</HostId></Error>`;
}
