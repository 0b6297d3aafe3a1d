// Copy-detection queries: standard edits of source pictures (crop, rescale, rotation, JPEG
// re-compression, colour jitter, text/logo overlay, mirror), drawn with sharp from a seeded
// generator, so the same sources always give byte-identical queries. Written to a temp folder.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../src/domain/index.js';
import type { Item } from './datasets.js';

export const TRANSFORMS = ['crop', 'rescale', 'rotate', 'jpeg30', 'colour', 'overlay', 'flip'] as const;
export type Transform = (typeof TRANSFORMS)[number];

export interface CopyQuery {
  /** The picture the query was made from. */
  source: Item;
  transform: Transform;
  path: string;
}

/** A seed from a string (FNV-1a), so each (source, transform) has its own random numbers. */
function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const between = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();
const signed = (r: () => number, lo: number, hi: number) => (r() < 0.5 ? -1 : 1) * between(r, lo, hi);
const WORDS = ['SALE', 'tusou', 'Copyright 2026', 'DEMO', 'www.example.com', 'NEW', 'SAMPLE'];

async function apply(bytes: Buffer, t: Transform, r: () => number): Promise<Buffer> {
  const meta = await sharp(bytes).metadata();
  const w = meta.width ?? 1;
  const h = meta.height ?? 1;
  switch (t) {
    case 'crop': {
      // 50–90 % of each side, anywhere in the picture.
      const f = between(r, 0.5, 0.9);
      const cw = Math.round(w * f);
      const ch = Math.round(h * f);
      return sharp(bytes).extract({ left: Math.floor(r() * (w - cw)), top: Math.floor(r() * (h - ch)), width: cw, height: ch }).jpeg({ quality: 85 }).toBuffer();
    }
    case 'rescale':
      return sharp(bytes).resize(Math.max(32, Math.round(w * between(r, 0.25, 0.6)))).jpeg({ quality: 85 }).toBuffer();
    case 'rotate':
      return sharp(bytes).rotate(signed(r, 5, 15), { background: '#000000' }).jpeg({ quality: 85 }).toBuffer();
    case 'jpeg30':
      return sharp(bytes).jpeg({ quality: 30 }).toBuffer();
    case 'colour':
      return sharp(bytes)
        .modulate({ brightness: between(r, 0.7, 1.3), saturation: between(r, 0.5, 1.5), hue: Math.round(signed(r, 10, 30)) })
        .jpeg({ quality: 85 }).toBuffer();
    case 'overlay': {
      const text = WORDS[Math.floor(r() * WORDS.length)];
      const size = Math.round(h * between(r, 0.08, 0.14));
      const logo = Math.round(Math.min(w, h) * 0.15);
      const lx = r() < 0.5 ? 4 : w - logo - 4;
      const ly = r() < 0.5 ? 4 : h - logo - 4;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`
        + `<text x="${Math.round(w * between(r, 0.02, 0.3))}" y="${Math.round(h * between(r, 0.3, 0.95))}" font-family="sans-serif" font-weight="bold" font-size="${size}" fill="white" stroke="black" stroke-width="${Math.max(1, size / 20)}">${text}</text>`
        + `<rect x="${lx}" y="${ly}" width="${logo}" height="${logo}" rx="${logo / 5}" fill="rgb(220,40,40)" fill-opacity="0.8"/>`
        + `<circle cx="${lx + logo / 2}" cy="${ly + logo / 2}" r="${logo / 3}" fill="white"/></svg>`;
      return sharp(bytes).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 85 }).toBuffer();
    }
    case 'flip':
      return sharp(bytes).flop().jpeg({ quality: 85 }).toBuffer();
  }
}

/** Make `transforms` of every source picture into `dir`; deterministic for the same sources. */
export async function makeCopyQueries(sources: readonly Item[], transforms: readonly Transform[], dir: string, read: (p: string) => Buffer): Promise<CopyQuery[]> {
  const out: CopyQuery[] = [];
  for (const source of sources) {
    const bytes = read(source.path);
    for (const transform of transforms) {
      const path = join(dir, `${source.dataset}-${source.index}-${transform}.jpg`);
      writeFileSync(path, await apply(bytes, transform, mulberry32(seedOf(`${source.dataset}/${source.index}/${transform}`))));
      out.push({ source, transform, path });
    }
  }
  return out;
}
