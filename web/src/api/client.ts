// The console's only way to the server: the REST API under /api/v1, typed from its OpenAPI
// document (schema.d.ts). Errors arrive as the REST envelope and become ApiError.

import type { components } from './schema';

export type Instance = components['schemas']['Instance'];
export type CreateInstance = components['schemas']['CreateInstance'];
export type Image = components['schemas']['Image'];
export type UpdateImage = components['schemas']['UpdateImage'];
export type SearchResult = components['schemas']['SearchResult'];
export type Hit = SearchResult['hits'][number];
export type Region = components['schemas']['Region'];
export type Box = components['schemas']['Box'];
export type ErrorEnvelope = components['schemas']['Error'];
/** Who the console is signed in as (GET /api/v1/session). */
export interface Session { open: boolean; keyId?: string; instances?: string[]; readOnly: boolean }
export interface Descriptor { id: string; kind: string; dim: number; metric: string; description: string }

/** A failed API call, carrying the REST error envelope's fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KEY_STORAGE = 'tusou.accessKey';

/** Dispatched on window when the server asks for a key (401): the console shows its login screen. */
export const AUTH_REQUIRED_EVENT = 'tusou:auth-required';

/** The access key `id:secret` for servers that require one (kept for this browser tab only). */
export function getAccessKey(): string {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/** Remember the access key for this tab (an empty value forgets it). */
export function setAccessKey(value: string): void {
  try {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage can be disabled; the key then lasts until reload, which is still usable.
  }
  memoryKey = value;
}

let memoryKey = '';
const authHeaders = (): Record<string, string> => {
  const key = getAccessKey() || memoryKey;
  return key ? { authorization: `Bearer ${key}` } : {};
};

/** True when requests carry an access key. */
export const hasAccessKey = (): boolean => Boolean(getAccessKey() || memoryKey);

const enc = encodeURIComponent;
const BASE = '/api/v1';

/** URLs of the REST API. */
export const urls = {
  descriptors: `${BASE}/descriptors`,
  instances: `${BASE}/instances`,
  instance: (name: string) => `${BASE}/instances/${enc(name)}`,
  images: (name: string) => `${BASE}/instances/${enc(name)}/images`,
  image: (name: string, productId: string, picName: string) => `${BASE}/instances/${enc(name)}/images/${enc(productId)}/${enc(picName)}`,
  original: (name: string, productId: string, picName: string) => `${urls.image(name, productId, picName)}/original`,
  thumbnail: (name: string, productId: string, picName: string, size = 256) => `${urls.image(name, productId, picName)}/thumbnail?size=${size}`,
  annotated: (name: string, productId: string, picName: string) => `${urls.image(name, productId, picName)}/annotated.png`,
  search: (name: string) => `${BASE}/instances/${enc(name)}/search`,
  searchByImage: (name: string) => `${BASE}/instances/${enc(name)}/search/by-image`,
};

async function errorOf(status: number, text: string): Promise<ApiError> {
  try {
    const body = JSON.parse(text) as Partial<ErrorEnvelope>;
    if (body.error && typeof body.error.code === 'string') {
      const e = body.error;
      return new ApiError(status, e.code, e.message, e.details ?? {}, e.requestId ?? '');
    }
  } catch {
    // Not the envelope (a proxy's page, say): fall through to a generic error with the status.
  }
  return new ApiError(status, `HTTP_${status}`, text.slice(0, 200) || `the server answered ${status}`);
}

/**
 * Call the API: a plain object is sent as JSON, FormData as multipart. Resolves with the parsed
 * JSON (undefined for 204).
 * @throws ApiError with the envelope's code, or NETWORK when the server cannot be reached
 */
export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders() };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the server cannot be reached (${(err as Error).message})`);
  }
  if (!res.ok) throw authFailure(await errorOf(res.status, await res.text()));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Tell the app a key is needed (or no longer valid) when an answer says so; returns the error. */
function authFailure(e: ApiError): ApiError {
  if (e.status === 401 && typeof window !== 'undefined') window.dispatchEvent(new CustomEvent(AUTH_REQUIRED_EVENT, { detail: e }));
  return e;
}

/**
 * Ask the server who we are with the key of this tab (or none).
 * @throws ApiError: 401 AUTH_REQUIRED / AUTH_KEY_INVALID / AUTH_KEY_REVOKED when a key is needed or wrong
 */
export async function fetchSession(): Promise<Session> {
  const res = await fetch(`${BASE}/session`, { headers: authHeaders() });
  if (!res.ok) throw await errorOf(res.status, await res.text());
  return (await res.json()) as Session;
}

/** GET a binary resource (for pictures when an access key must be sent). */
export async function fetchBlob(url: string): Promise<Blob> {
  const res = await fetch(url, { headers: authHeaders() });
  if (!res.ok) throw authFailure(await errorOf(res.status, await res.text()));
  return res.blob();
}

/** POST a form and take the answer as a binary (the search's annotate=true PNG). @throws ApiError */
export async function postForBlob(url: string, form: FormData): Promise<Blob> {
  const res = await fetch(url, { method: 'POST', headers: authHeaders(), body: form });
  if (!res.ok) throw authFailure(await errorOf(res.status, await res.text()));
  return res.blob();
}

/**
 * POST multipart with upload progress (fetch cannot report it, XMLHttpRequest can).
 * `onProgress` gets the sent fraction 0..1.
 * @throws ApiError
 */
export function upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        try {
          resolve({ status: xhr.status, body: JSON.parse(xhr.responseText) as T });
        } catch {
          reject(new ApiError(xhr.status, 'BAD_RESPONSE', 'the server answered with something that is not JSON'));
        }
      } else {
        void errorOf(xhr.status, xhr.responseText).then((e) => reject(authFailure(e)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'the upload failed: the server cannot be reached'));
    xhr.send(form);
  });
}

/** Format a box the way the cloud API and the search form take regions: `x1,x2,y1,y2`. */
export const formatRegion = (b: Box): string => `${b.x1},${b.x2},${b.y1},${b.y2}`;

/** True when both boxes exist and have the same corners. */
export const sameBox = (a: Box | undefined, b: Box | undefined): boolean =>
  Boolean(a && b && a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2);
