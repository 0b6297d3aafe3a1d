// Draws what Crop=true chooses on real photos, for a person to judge (DESIGN §4: "the main box
// covers the main object"): the main region in red (dashed when it is the saliency fallback),
// other detections in yellow, on a contact sheet PNG; counts go to JSON.
// Usage: tsx bench/vision-regions.ts --data /work/shared/datasets/photo_pool/images [--images 24]

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { decodeImage } from '../src/imaging/index.js';
import { createVision } from '../src/vision/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    images: { type: 'string', default: '24' },
    out: { type: 'string', default: 'bench/results' },
  },
});
if (!args.data) {
  console.error('usage: tsx bench/vision-regions.ts --data DIR [--images N]');
  process.exit(2);
}

const TILE = 256;
const COLS = 6;
const all = readdirSync(args.data).filter((f) => ['.jpg', '.jpeg', '.png'].includes(extname(f).toLowerCase())).sort();
const n = Math.min(Number(args.images), all.length);
const files = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);

const vision = createVision({ pool: { size: 1 } });
const tiles: OverlayOptions[] = [];
const rows: { file: string; main: string; mainScore: number; regions: string[] }[] = [];
for (const [i, f] of files.entries()) {
  const bytes = readFileSync(join(args.data, f));
  const img = await decodeImage(bytes, { maxBytes: 64 * 1024 * 1024, minPx: 1, maxPx: 8192 });
  const a = await vision.analyse(img, { descriptor: 'colour-hist-rgb512@1', detect: true, predictCategory: true });
  const main = a.regions.find((r) => r.box.x1 === a.region.x1 && r.box.y1 === a.region.y1 && r.box.x2 === a.region.x2 && r.box.y2 === a.region.y2);
  const s = Math.min(TILE / img.width, TILE / img.height);
  const rect = (b: typeof a.region, colour: string, dash: boolean) =>
    `<rect x="${b.x1 * s}" y="${b.y1 * s}" width="${(b.x2 - b.x1) * s}" height="${(b.y2 - b.y1) * s}" fill="none" stroke="${colour}" stroke-width="3"${dash ? ' stroke-dasharray="8,5"' : ''}/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${TILE}" height="${TILE}">${a.regions.filter((r) => r !== main).map((r) => rect(r.box, 'yellow', false)).join('')}${rect(a.region, 'red', !main)}`
    + `<text x="4" y="${TILE - 6}" fill="white" stroke="black" stroke-width="0.6" font-size="15" font-family="sans-serif">${main ? `${main.label} ${main.score}` : 'salient'}</text></svg>`;
  const tile = await sharp(bytes).rotate().resize(TILE, TILE, { fit: 'contain', position: 'left top', background: '#202020' })
    .composite([{ input: Buffer.from(svg) }]).png().toBuffer();
  tiles.push({ input: tile, left: (i % COLS) * TILE, top: Math.floor(i / COLS) * TILE });
  rows.push({ file: f, main: main ? main.label : 'salient', mainScore: main?.score ?? 0, regions: a.regions.map((r) => `${r.label}:${r.score}`) });
}
await vision.close();

mkdirSync(args.out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const sheet = join(args.out, `vision-regions-${stamp}.png`);
await sharp({ create: { width: COLS * TILE, height: Math.ceil(n / COLS) * TILE, channels: 3, background: '#000' } }).composite(tiles).png().toFile(sheet);
const fallback = rows.filter((r) => r.main === 'salient').length;
writeFileSync(join(args.out, `vision-regions-${stamp}.json`), JSON.stringify({ data: args.data, images: n, fallback, rows }, null, 2));
console.table(rows.map((r) => ({ file: r.file, main: r.main, score: r.mainScore, detections: r.regions.length })));
console.log(`${n - fallback} of ${n} pictures had a detected main region; ${fallback} used the saliency fallback`);
console.log(`wrote ${sheet}`);
