// `tusou import DIR`: add every picture under a folder. ProductId and PicName come from paths;
// images already stored with the same bytes are skipped, so an interrupted import resumes. The
// pictures are described by ingestion workers (this process's, and any node's with PostgreSQL).

import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { isTusouError } from '../domain/index.js';
import type { Engine, ImportPicture } from '../engine/index.js';

const PICTURE = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.bmp']);

export type KeyScheme = 'folder' | 'file';

export interface ImportOptions {
  /** `folder`: ProductId = the file's folder relative to DIR (top-level files use their name);
   *  `file`: ProductId = the file path relative to DIR. PicName is always the file name. */
  keys: KeyScheme;
  overwrite: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  total: number;
  added: number;
  replaced: number;
  skipped: number;
  failed: { file: string; code: string; message: string }[];
}

async function* walk(dir: string): AsyncIterable<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && PICTURE.has(extname(e.name).toLowerCase())) yield p;
  }
}

/** The (ProductId, PicName) of a file under `root`. */
export function keyOf(root: string, file: string, scheme: KeyScheme): { productId: string; picName: string } {
  const rel = relative(root, file).split(sep).join('/');
  const slash = rel.lastIndexOf('/');
  const picName = rel.slice(slash + 1);
  if (scheme === 'file') return { productId: rel, picName };
  const stem = picName.slice(0, picName.length - extname(picName).length) || picName;
  return { productId: slash >= 0 ? rel.slice(0, slash) : stem, picName };
}

/**
 * Import a folder into an instance; bad files are reported, not fatal. Pictures go through the
 * engine's ingestion queue: with a PostgreSQL store, workers on every node share the work.
 */
export async function importFolder(engine: Engine, instance: string, root: string, opts: ImportOptions): Promise<ImportReport> {
  await engine.getInstance(instance);
  const files: string[] = [];
  for await (const f of walk(root)) files.push(f);
  const report: ImportReport = { total: files.length, added: 0, replaced: 0, skipped: 0, failed: [] };
  let done = 0;
  const progress = () => opts.onProgress?.(++done, files.length);
  async function* pictures(): AsyncIterable<ImportPicture> {
    for (const file of files) {
      const rel = relative(root, file);
      try {
        const key = keyOf(root, file, opts.keys);
        const bytes = await readFile(file);
        const existing = opts.overwrite ? undefined : await engine.findImage(instance, key);
        if (existing && existing.sha256 === createHash('sha256').update(bytes).digest('hex')) {
          report.skipped++;
          progress();
        } else {
          yield { file: rel, ...key, bytes };
        }
      } catch (err) {
        if (!isTusouError(err)) throw err;
        report.failed.push({ file: rel, code: err.code, message: err.message });
        progress();
      }
    }
  }
  const out = await engine.importPictures(instance, pictures(), { onSent: progress });
  report.added = out.added;
  report.replaced = out.replaced;
  report.failed.push(...out.failed);
  return report;
}
