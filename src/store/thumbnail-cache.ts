// Generated thumbnails on disk, keyed by the original's SHA-256 and the size:
// `<dir>/ab/<sha256>-<size>.webp`. A cache: lost files are simply generated again.

import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TusouError } from '../domain/index.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** Thumbnails on disk by original and size; safe for concurrent requests in one process. */
export class ThumbnailCache {
  /** Generations in flight, so concurrent requests for one missing thumbnail make it once. */
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(readonly dir: string) {}

  /** The cached thumbnail, or `make()`'s result after keeping it. Concurrent callers share one `make()`. */
  async getOrCreate(sha256: string, sizePx: number, make: () => Promise<Buffer>): Promise<Buffer> {
    const cached = await this.get(sha256, sizePx);
    if (cached) return cached;
    const key = `${sha256}-${sizePx}`;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const job = (async () => {
      const bytes = await make();
      await this.put(sha256, sizePx, bytes);
      return bytes;
    })();
    this.pending.set(key, job);
    try {
      return await job;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Path of a thumbnail; throws on anything but a hex SHA-256 and a positive integer size. */
  pathOf(sha256: string, sizePx: number): string {
    if (!SHA256.test(sha256)) throw new RangeError(`not a sha256: ${sha256.slice(0, 80)}`);
    if (!Number.isInteger(sizePx) || sizePx <= 0) throw new RangeError(`not a size: ${sizePx}`);
    return join(this.dir, sha256.slice(0, 2), `${sha256}-${sizePx}.webp`);
  }

  /** The cached bytes, or undefined. */
  async get(sha256: string, sizePx: number): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256, sizePx));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Keep a thumbnail. Written to a temporary file and renamed, so readers never see half a file;
   * not fsynced, because a lost thumbnail is regenerated. @throws STORE_UNAVAILABLE
   */
  async put(sha256: string, sizePx: number, bytes: Buffer): Promise<void> {
    const path = this.pathOf(sha256, sizePx);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      throw new TusouError('STORE_UNAVAILABLE', { reason: `cannot write a thumbnail (${code ?? 'unknown error'})` }, { cause: err });
    }
  }

  /** Remove every size of one original's thumbnails. */
  async deleteAll(sha256: string): Promise<void> {
    const dir = dirname(this.pathOf(sha256, 1));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith(`${sha256}-`)) {
        await unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    }
  }
}
