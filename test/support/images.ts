// Real picture bytes for tests, drawn with sharp from a seed: each seed gives a different scene
// of coloured shapes; the same seed gives the same picture.

import sharp from 'sharp';
import { mulberry32 } from '../../src/domain/index.js';


export interface SceneOptions {
  width?: number;
  height?: number;
  format?: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff';
  /** EXIF orientation to write (JPEG only). */
  orientation?: number;
}

/** An SVG scene of random rectangles and circles on a random background. */
export function sceneSvg(seed: number, width = 320, height = 240): string {
  const r = mulberry32(seed);
  const colour = () => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
  const shapes: string[] = [];
  for (let i = 0; i < 12; i++) {
    const x = Math.floor(r() * width);
    const y = Math.floor(r() * height);
    const s = 10 + Math.floor(r() * Math.min(width, height) * 0.5);
    shapes.push(r() < 0.5
      ? `<rect x="${x - s / 2}" y="${y - s / 2}" width="${s}" height="${s * (0.5 + r())}" fill="${colour()}"/>`
      : `<circle cx="${x}" cy="${y}" r="${s / 2}" fill="${colour()}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour()}"/>${shapes.join('')}</svg>`;
}

/** Encoded picture bytes of scene `seed`. */
export async function scene(seed: number, opts: SceneOptions = {}): Promise<Buffer> {
  const img = sharp(Buffer.from(sceneSvg(seed, opts.width, opts.height)));
  switch (opts.format ?? 'jpeg') {
    case 'png': return img.png().toBuffer();
    case 'webp': return img.webp().toBuffer();
    case 'gif': return img.gif().toBuffer();
    case 'tiff': return img.tiff().toBuffer();
    case 'jpeg': return img.jpeg({ quality: 90 }).withMetadata(opts.orientation ? { orientation: opts.orientation } : {}).toBuffer();
  }
}

/** A variant of a picture that a person would call the same: resized, re-encoded, slightly brighter. */
export async function nearCopy(bytes: Buffer): Promise<Buffer> {
  const m = await sharp(bytes).metadata();
  return sharp(bytes).resize(Math.round((m.width ?? 320) * 0.8)).modulate({ brightness: 1.05 }).jpeg({ quality: 70 }).toBuffer();
}
