// Kept originals in a folder, content-addressed by SHA-256 under `<dir>/ab/cd/<sha256>`. A put is
// durable (file and directory fsynced) before it resolves; the same bytes are stored once. Pins
// live in this process: the folder belongs to one node (the SQLite default).

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TusouError } from '../domain/index.js';
import type { BlobStore } from './blob-store.js';

const SHA256 = /^[0-9a-f]{64}$/;

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try { await fd.sync(); } finally { await fd.close(); }
}

export class FolderBlobStore implements BlobStore {
  /** Originals an add in this process is about to reference → how many adds. */
  private readonly pins = new Map<string, number>();

  constructor(readonly dir: string) {}

  /** Path of an original; throws on anything but a hex SHA-256 (no path can escape `dir`). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new RangeError(`not a sha256: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Store bytes durably; returns their SHA-256. @throws STORE_UNAVAILABLE */
  async put(bytes: Buffer, sha256 = createHash('sha256').update(bytes).digest('hex')): Promise<string> {
    const path = this.pathOf(sha256);
    if (await this.has(sha256)) return sha256;
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      const fd = await open(tmp, 'w');
      try {
        await fd.writeFile(bytes);
        await fd.sync();
      } finally {
        await fd.close();
      }
      await rename(tmp, path);
      await fsyncDir(dirname(path));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      // A recursive mkdir on a read-only file system can fail with ENOENT: ask the directory itself.
      await this.assertWritable();
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
        ? 'the data directory is not writable' : `cannot write an original (${code ?? 'unknown error'})`;
      throw new TusouError('STORE_UNAVAILABLE', { reason }, { cause: err });
    }
    return sha256;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** The bytes of an original, or undefined when it is missing. */
  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async pin(sha256: string): Promise<() => Promise<void>> {
    this.pins.set(sha256, (this.pins.get(sha256) ?? 0) + 1);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const n = (this.pins.get(sha256) ?? 1) - 1;
      if (n > 0) this.pins.set(sha256, n);
      else this.pins.delete(sha256);
    };
  }

  async isPinned(sha256: string): Promise<boolean> {
    return this.pins.has(sha256);
  }

  async delete(sha256: string): Promise<boolean> {
    if (this.pins.has(sha256)) return false;
    return unlink(this.pathOf(sha256)).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      return false;
    });
  }

  /** Every stored SHA-256 (for consistency checks). */
  async assertWritable(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await access(this.dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new TusouError('STORE_UNAVAILABLE', { reason: code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'the data directory is not writable' : `the originals cannot be changed (${code ?? 'unknown error'})` }, { cause: err });
    }
  }

  async removeLeftovers(): Promise<number> {
    const level = async (d: string) => readdir(d).catch(() => [] as string[]);
    let n = 0;
    for (const a of await level(this.dir)) {
      for (const b of await level(join(this.dir, a))) {
        for (const f of await level(join(this.dir, a, b))) {
          if (!f.endsWith('.tmp')) continue;
          await unlink(join(this.dir, a, b, f)).catch(() => undefined);
          n++;
        }
      }
    }
    return n;
  }

  async *list(): AsyncIterable<string> {
    const level = async (d: string) => readdir(d).catch(() => [] as string[]);
    for (const a of await level(this.dir)) {
      for (const b of await level(join(this.dir, a))) {
        for (const f of await level(join(this.dir, a, b))) if (SHA256.test(f)) yield f;
      }
    }
  }
}
