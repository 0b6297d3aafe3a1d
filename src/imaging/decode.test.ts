import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { scene } from '../../test/support/images.js';
import { isTusouError } from '../domain/index.js';
import { decodeBase64Picture } from './base64.js';
import { WORK_PX, decodeImage, sniffFormat, toRaw } from './decode.js';

const LIMITS = { maxBytes: 4 * 1024 * 1024, minPx: 16, maxPx: 8192 };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    assert.ok(isTusouError(e), String(e));
    return e.code;
  }
}

describe('decodeImage', () => {
  for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const) {
    test(`decodes ${format} into a bounded RGB working copy`, async () => {
      const img = await decodeImage(await scene(3, { format, width: 300, height: 200 }), LIMITS);
      assert.equal(img.format, format);
      assert.deepEqual([img.width, img.height], [300, 200]);
      assert.equal(img.work.data.length, img.work.width * img.work.height * 3);
      assert.match(img.sha256, /^[0-9a-f]{64}$/);
    });
  }

  test('EXIF orientation is applied: a 6 (90° cw) 300×200 JPEG is 200×300', async () => {
    const img = await decodeImage(await scene(4, { width: 300, height: 200, orientation: 6 }), LIMITS);
    assert.deepEqual([img.width, img.height], [200, 300]);
    assert.deepEqual([img.work.width, img.work.height], [200, 300]);
  });

  test('large pictures get a working copy no longer than WORK_PX', async () => {
    const big = await sharp({ create: { width: 3000, height: 1500, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    const img = await decodeImage(big, LIMITS);
    assert.deepEqual([img.width, img.height, img.work.width, img.work.height], [3000, 1500, WORK_PX, WORK_PX / 2]);
  });

  test('alpha is flattened on white', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const img = await decodeImage(png, LIMITS);
    assert.deepEqual([...img.work.data.subarray(0, 3)], [255, 255, 255]);
  });

  test('a decompression bomb is refused from its header', async () => {
    // A 20000×20000 PNG compresses to a few hundred KB; the pixel guard must refuse it before decoding.
    const bomb = await sharp({ create: { width: 20000, height: 20000, channels: 3, background: '#000' }, limitInputPixels: false }).greyscale().png({ compressionLevel: 9 }).toBuffer();
    assert.equal(await code(decodeImage(bomb, { ...LIMITS, maxBytes: bomb.length + 1 })), 'IMAGE_PIXELS_OUT_OF_RANGE');
  });

  test('refusals carry specific codes', async () => {
    const jpeg = await scene(1);
    assert.equal(await code(decodeImage(Buffer.alloc(0), LIMITS)), 'IMAGE_EMPTY');
    assert.equal(await code(decodeImage(jpeg, { ...LIMITS, maxBytes: 100 })), 'IMAGE_TOO_LARGE');
    assert.equal(await code(decodeImage(Buffer.from('GIF89a garbage that is not a gif'), LIMITS)), 'IMAGE_CORRUPT');
    assert.equal(await code(decodeImage(jpeg.subarray(0, 600), LIMITS)), 'IMAGE_CORRUPT');
    assert.equal(await code(decodeImage(Buffer.from('%PDF-1.4 ...'), LIMITS)), 'IMAGE_FORMAT_UNSUPPORTED');
    assert.equal(await code(decodeImage(jpeg, { ...LIMITS, minPx: 500 })), 'IMAGE_PIXELS_OUT_OF_RANGE');
  });

  test('sniffFormat names the containers', () => {
    assert.equal(sniffFormat(Buffer.from('<?xml version="1.0"?><svg/>')), 'svg');
    assert.equal(sniffFormat(Buffer.from('BM....')), 'bmp');
    assert.equal(sniffFormat(Buffer.from('plain text')), 'unknown');
  });
});

describe('toRaw', () => {
  test('crops a region in original pixels and resizes it', async () => {
    const img = await decodeImage(await sharp({
      create: { width: 200, height: 100, channels: 3, background: '#ff0000' },
    }).composite([{ input: { create: { width: 100, height: 100, channels: 3, background: '#0000ff' } }, left: 100, top: 0 }]).png().toBuffer(), LIMITS);
    const right = await toRaw(img, { box: { x1: 100, y1: 0, x2: 200, y2: 100 }, width: 8, height: 8, fit: 'fill' });
    assert.deepEqual([right.width, right.height, right.channels], [8, 8, 3]);
    assert.deepEqual([...right.data.subarray(0, 3)], [0, 0, 255]);
    const grey = await toRaw(img, { width: 4, height: 4, fit: 'fill', grey: true });
    assert.equal(grey.channels, 1);
  });
});

describe('decodeBase64Picture', () => {
  test('accepts base64, base64url and data: URLs; refuses junk', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xfb, 0xfe]);
    assert.deepEqual(decodeBase64Picture(bytes.toString('base64')), bytes);
    assert.deepEqual(decodeBase64Picture(bytes.toString('base64url')), bytes);
    assert.deepEqual(decodeBase64Picture(`data:image/jpeg;base64,${bytes.toString('base64')}`), bytes);
    assert.throws(() => decodeBase64Picture('a*b'), /base64/);
    assert.throws(() => decodeBase64Picture('   '), /empty/);
  });
});
