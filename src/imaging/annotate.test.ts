import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { isTusouError } from '../domain/index.js';
import { ANNOTATION_RGB, annotatePicture, makeThumbnail, type Annotation } from './index.js';

const limits = { maxBytes: 8 << 20, minPx: 16, maxPx: 8192 };
const GREY = [128, 128, 128];

async function grey(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at: (x: number, y: number) => {
      const i = (y * info.width + x) * 3;
      return [data[i], data[i + 1], data[i + 2]];
    },
  };
}

function near(actual: number[], expected: readonly number[], label: string, tolerance = 3) {
  assert.ok(actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance), `${label}: expected rgb(${expected.join(',')}), got rgb(${actual.join(',')})`);
}

describe('annotatePicture', () => {
  const main: Annotation = { box: { x1: 20, y1: 30, x2: 120, y2: 90 }, label: 'cup', score: 0.87, main: true };
  const other: Annotation = { box: { x1: 140, y1: 40, x2: 190, y2: 95 }, label: 'phone', score: 0.41 };

  test('draws each box on its edges, in its colour, and leaves the inside and outside untouched', async () => {
    const out = await annotatePicture(await grey(200, 100), [other, main], { limits });
    const p = await pixels(out.png);
    assert.deepEqual([p.width, p.height, out.scale], [200, 100, 1]);
    near(p.at(21, 60), ANNOTATION_RGB.main, 'main left edge');
    near(p.at(118, 60), ANNOTATION_RGB.main, 'main right edge');
    near(p.at(70, 31), ANNOTATION_RGB.main, 'main top edge');
    near(p.at(70, 88), ANNOTATION_RGB.main, 'main bottom edge');
    near(p.at(70, 60), GREY, 'inside the main box');
    near(p.at(10, 60), GREY, 'left of the main box');
    near(p.at(70, 95), GREY, 'below the main box');
    near(p.at(140, 70), ANNOTATION_RGB.other, 'other left edge');
    near(p.at(189, 70), ANNOTATION_RGB.other, 'other right edge');
    near(p.at(165, 70), GREY, 'inside the other box');
  });

  test('puts the label on a tab above the box, with dark text on it', async () => {
    const out = await annotatePicture(await grey(200, 100), [main], { limits });
    const p = await pixels(out.png);
    // The tab spans the rows just above y1 = 30, starting at x1 = 20.
    near(p.at(21, 17), ANNOTATION_RGB.main, 'tab background');
    let dark = 0;
    for (let y = 15; y < 30; y++) for (let x = 20; x < 100; x++) if (p.at(x, y).every((v) => v < 90)) dark++;
    assert.ok(dark > 20, `expected the label's text on the tab, found ${dark} dark pixels`);
  });

  test('a box at the top edge gets its tab inside the box', async () => {
    const out = await annotatePicture(await grey(200, 100), [{ box: { x1: 0, y1: 0, x2: 200, y2: 100 }, label: 'query', main: true }], { limits });
    const p = await pixels(out.png);
    near(p.at(1, 50), ANNOTATION_RGB.main, 'left edge of the whole-picture box');
    near(p.at(40, 1), ANNOTATION_RGB.main, 'tab inside the box (top right of the tab, clear of the text)');
  });

  test('boxes land on oriented coordinates when the JPEG carries an EXIF rotation', async () => {
    // Stored 100×60 with orientation 6 (rotate 90° clockwise): seen as 60×100.
    const bytes = await sharp(await grey(100, 60, 'jpeg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const out = await annotatePicture(bytes, [{ box: { x1: 10, y1: 50, x2: 50, y2: 90 }, label: 'x', main: true }], { limits });
    const p = await pixels(out.png);
    assert.deepEqual([p.width, p.height], [60, 100]);
    near(p.at(11, 70), ANNOTATION_RGB.main, 'left edge');
    near(p.at(30, 88), ANNOTATION_RGB.main, 'bottom edge');
  });

  test('maxPx shrinks the picture and scales the boxes with it', async () => {
    const out = await annotatePicture(await grey(400, 200), [{ box: { x1: 40, y1: 40, x2: 360, y2: 160 }, label: 'x', main: true }], { limits, maxPx: 100 });
    const p = await pixels(out.png);
    assert.deepEqual([p.width, p.height, out.scale], [100, 50, 0.25]);
    near(p.at(10, 25), ANNOTATION_RGB.main, 'left edge at x1 × 0.25');
    near(p.at(50, 25), GREY, 'inside');
  });

  test('labels with markup characters are drawn as text, not parsed', async () => {
    const out = await annotatePicture(await grey(200, 100), [{ ...main, label: '<b>&"x"</b>' }], { limits });
    near((await pixels(out.png)).at(21, 60), ANNOTATION_RGB.main, 'box still drawn');
  });

  test('bytes that are not a picture fail with IMAGE_CORRUPT', async () => {
    await assert.rejects(annotatePicture(Buffer.from('not a picture at all'), [main], { limits }), (e) => isTusouError(e, 'IMAGE_CORRUPT'));
  });
});

describe('makeThumbnail', () => {
  test('fits the longer side into the size as WebP, and never enlarges small pictures', async () => {
    const big = await sharp(await makeThumbnail(await grey(640, 480), 256, limits)).metadata();
    assert.deepEqual([big.format, big.width, big.height], ['webp', 256, 192]);
    const small = await sharp(await makeThumbnail(await grey(100, 50), 256, limits)).metadata();
    assert.deepEqual([small.width, small.height], [100, 50]);
  });
});
