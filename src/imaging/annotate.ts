// Drawing regions on pictures: boxes and labels as an SVG overlay that sharp composites onto the
// oriented picture, encoded as PNG. Fonts are whatever librsvg finds through fontconfig offline.

import sharp from 'sharp';
import { TusouError, type Box } from '../domain/index.js';
import type { ImageLimits } from './decode.js';

/** One box to draw. */
export interface Annotation {
  /** In pixels of the oriented original (the coordinates regions are stored in). */
  box: Box;
  /** Text drawn on a tab above the box (inside it when there is no room above). */
  label: string;
  /** 0..1; appended to the label as a percentage when given. */
  score?: number;
  /** The main region: drawn thicker, in the highlight colour, on top of the others. */
  main?: boolean;
}

/** Stroke colours as RGB, exported so tests can look for them in the decoded pixels. */
export const ANNOTATION_RGB = Object.freeze({
  main: [255, 45, 85] as const,
  other: [0, 194, 255] as const,
});

/** Limits for reading the picture, and an optional bound on the output size. */
export interface AnnotateOptions {
  limits: ImageLimits;
  /** Bound the longest side of the output (never enlarged); by default the original size. */
  maxPx?: number;
}

/** The PNG and its geometry relative to the original. */
export interface AnnotatedPicture {
  png: Buffer;
  width: number;
  height: number;
  /** Output pixels per original pixel (1 unless `maxPx` shrank the picture). */
  scale: number;
}

const hex = (rgb: readonly number[]) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch] as string);
}

/** The label text of an annotation: `label 87%`. */
export function annotationText(a: Pick<Annotation, 'label' | 'score'>): string {
  return a.score === undefined ? a.label : `${a.label} ${Math.round(a.score * 100)}%`;
}

/** The SVG overlay for a `width`×`height` output; `scale` maps original pixels to output pixels. */
export function overlaySvg(annotations: readonly Annotation[], width: number, height: number, scale: number): string {
  const longest = Math.max(width, height);
  const stroke = Math.max(2, Math.round(longest / 250));
  const fontPx = Math.min(28, Math.max(11, Math.round(longest / 45)));
  const tabH = Math.round(fontPx * 1.45);
  // Others first so the main region is drawn on top of anything it overlaps.
  const ordered = [...annotations].sort((a, b) => Number(Boolean(a.main)) - Number(Boolean(b.main)));
  const parts = ordered.map((a) => {
    const sw = a.main ? Math.round(stroke * 1.5) : stroke;
    const colour = hex(a.main ? ANNOTATION_RGB.main : ANNOTATION_RGB.other);
    const x1 = a.box.x1 * scale;
    const y1 = a.box.y1 * scale;
    const w = Math.max(1, (a.box.x2 - a.box.x1) * scale);
    const h = Math.max(1, (a.box.y2 - a.box.y1) * scale);
    // Inset by half the stroke so the whole line lies inside the box and inside the picture.
    const inset = Math.min(sw / 2, w / 2, h / 2);
    const rect = `<rect x="${x1 + inset}" y="${y1 + inset}" width="${Math.max(0.5, w - 2 * inset)}" height="${Math.max(0.5, h - 2 * inset)}" fill="none" stroke="${colour}" stroke-width="${sw}"/>`;
    const text = annotationText(a);
    // DejaVu Sans averages about 0.6 em per character; the tab is sized from that estimate.
    const tabW = Math.min(width, Math.round(text.length * fontPx * 0.62 + fontPx * 0.8));
    const tabX = Math.max(0, Math.min(x1, width - tabW));
    const tabY = y1 - tabH >= 0 ? y1 - tabH : Math.min(y1, height - tabH);
    const tab = `<rect x="${tabX}" y="${tabY}" width="${tabW}" height="${tabH}" fill="${colour}"/>`
      + `<text x="${tabX + fontPx * 0.4}" y="${tabY + tabH * 0.72}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${fontPx}" fill="#000">${escapeXml(text)}</text>`;
    return rect + tab;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * Draw boxes with labels on a picture (EXIF orientation applied, so boxes land where the stored
 * coordinates say) and encode it as PNG.
 * @throws IMAGE_CORRUPT when sharp cannot read the picture
 */
export async function annotatePicture(bytes: Buffer, annotations: readonly Annotation[], opts: AnnotateOptions): Promise<AnnotatedPicture> {
  const limitInputPixels = opts.limits.maxPx * opts.limits.maxPx;
  try {
    const meta = await sharp(bytes, { limitInputPixels, animated: false }).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const srcW = (swap ? meta.height : meta.width) ?? 1;
    const srcH = (swap ? meta.width : meta.height) ?? 1;
    const scale = opts.maxPx !== undefined ? Math.min(1, opts.maxPx / Math.max(srcW, srcH)) : 1;
    const width = Math.max(1, Math.round(srcW * scale));
    const height = Math.max(1, Math.round(srcH * scale));
    const sx = width / srcW;
    let pipeline = sharp(bytes, { limitInputPixels, animated: false }).rotate();
    if (width !== srcW || height !== srcH) pipeline = pipeline.resize({ width, height, fit: 'fill' });
    const png = await pipeline
      .composite([{ input: Buffer.from(overlaySvg(annotations, width, height, sx)), top: 0, left: 0 }])
      .png()
      .toBuffer();
    return { png, width, height, scale: sx };
  } catch (err) {
    if (err instanceof TusouError) throw err;
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 160);
    throw new TusouError('IMAGE_CORRUPT', { format: 'picture', reason }, { cause: err });
  }
}
