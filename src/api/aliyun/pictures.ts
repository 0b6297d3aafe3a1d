// PicContent resolution (aliyun-imagesearch-api.md §2.5): a URL of an *Advance upload this server
// issued (read locally), another http(s) URL (fetched only when enabled), or base64.

import { TusouError, shown } from '../../domain/index.js';
import { decodeBase64Picture } from '../../imaging/index.js';
import { fetchRemotePicture, type RemotePictureOptions } from './remote-picture.js';
import type { UploadStore } from './uploads.js';

export interface PictureSources {
  uploads: UploadStore;
  /** Fetching of other URLs; undefined when disabled (the default). */
  remote?: RemotePictureOptions;
}

/**
 * The bytes a PicContent value stands for; undefined when the value is absent.
 * @throws IMAGE_URL_REJECTED, IMAGE_URL_TIMEOUT, IMAGE_TOO_LARGE, IMAGE_BASE64_INVALID, IMAGE_EMPTY
 */
export async function resolvePicture(value: string | undefined, sources: PictureSources): Promise<Buffer | undefined> {
  if (value === undefined || value === '') return undefined;
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new TusouError('IMAGE_URL_REJECTED', { url: shown(value, 120), reason: 'it is not a valid URL' });
    }
    if (sources.uploads.isUploadUrl(url)) return sources.uploads.take(url);
    if (!sources.remote) throw new TusouError('IMAGE_URL_REJECTED', { url: shown(value, 120), reason: 'fetching URLs is disabled on this server (TUSOU_FETCH_URLS); send base64 or use an *Advance method' });
    return fetchRemotePicture(value, sources.remote);
  }
  return decodeBase64Picture(value);
}
