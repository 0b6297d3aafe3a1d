// Real photos for the speed benchmarks: every picture file under a folder (the shared datasets),
// and an even spread over them, so every dataset and picture size is represented.

import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Every .jpg, .jpeg and .png under `dir`, at any depth, in sorted order. */
export function photoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return photoFiles(p);
    return ['.jpg', '.jpeg', '.png'].includes(extname(e.name).toLowerCase()) ? [p] : [];
  }).sort();
}

/** `n` of `files`, evenly spaced over the list and shifted by `offset` (a different set for queries). */
export function evenSpread(files: readonly string[], n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => files[(Math.floor((i * files.length) / n) + offset) % files.length]);
}
