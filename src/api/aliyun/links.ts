// Signed, expiring download links to the files tasks write (DumpMeta's MetaUrl, IncreaseList's
// ErrorUrl), valid for 2 hours like the cloud's links (aliyun-imagesearch-api.md §3.12).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { TusouError, type Clock } from '../../domain/index.js';
import type { TaskFileRole } from '../../engine/index.js';

/** The file name each task file role is served under. */
export const TASK_FILE_NAMES: Record<TaskFileRole, string> = { output: 'meta.ndjson', errors: 'errors.ndjson' };

/** URL path prefix of task files. */
export const TASK_FILE_PATH = '/aliyun/tasks';

export class LinkSigner {
  constructor(private readonly secret: Buffer, private readonly now: Clock, private readonly ttlS = 7200) {}

  /** `<base>/aliyun/tasks/<id>/<file>?Expires=<unix s>&Signature=<hex>`. */
  url(baseUrl: string, taskId: number, role: TaskFileRole): string {
    const expires = Math.floor(this.now() / 1000) + this.ttlS;
    const file = TASK_FILE_NAMES[role];
    return `${baseUrl}${TASK_FILE_PATH}/${taskId}/${file}?Expires=${expires}&Signature=${this.sign(taskId, file, expires)}`;
  }

  /**
   * Check a link's signature and expiry.
   * @throws AUTH_SIGNATURE_MISMATCH, AUTH_TIMESTAMP_EXPIRED
   */
  verify(taskId: number, file: string, expires: string | undefined, signature: string | undefined): void {
    const exp = Number(expires);
    const expected = Buffer.from(this.sign(taskId, file, exp));
    const got = Buffer.from(signature ?? '');
    if (!Number.isInteger(exp) || got.length !== expected.length || !timingSafeEqual(got, expected)) throw new TusouError('AUTH_SIGNATURE_MISMATCH');
    if (exp * 1000 < this.now()) throw new TusouError('AUTH_TIMESTAMP_EXPIRED', { got: new Date(exp * 1000).toISOString(), windowS: this.ttlS });
  }

  private sign(taskId: number, file: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`task-file\n${taskId}\n${file}\n${expires}`).digest('hex');
  }
}
