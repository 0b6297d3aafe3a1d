import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { demoPhoto } from '../../../test/support/demo-photos.js';
import { iou } from './regions.js';
import { SALIENCY_PX, salientRegion } from './saliency.js';

/** A real photo crop pasted on a plain background at a known place; returns the thumbnail. */
async function pasted(at: { left: number; top: number }, size: number, bg: string) {
  const piece = await sharp(demoPhoto('sample2')).extract({ left: 1250, top: 100, width: 600, height: 600 }).resize(size, size).toBuffer();
  const canvas = await sharp({ create: { width: 1000, height: 700, channels: 3, background: bg } })
    .composite([{ input: piece, ...at }]).png().toBuffer();
  const { data, info } = await sharp(canvas).resize(SALIENCY_PX, SALIENCY_PX, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

describe('saliency fallback', () => {
  for (const [name, at, bg] of [
    ['centred on white', { left: 350, top: 200 }, '#ffffff'],
    ['off-centre on grey', { left: 80, top: 330 }, '#8a8a8a'],
  ] as const) {
    test(`a photo pasted ${name} is found: IoU with where it was pasted ≥ 0.6`, async () => {
      const t = await pasted(at, 300, bg);
      const r = salientRegion(t.data, t.width, t.height, 1000, 700, t.channels);
      const truth = { x1: at.left, y1: at.top, x2: at.left + 300, y2: at.top + 300 };
      assert.equal(r.label, 'salient');
      assert.ok(iou(r.box, truth) >= 0.6, `box ${JSON.stringify(r.box)} vs ${JSON.stringify(truth)}: IoU ${iou(r.box, truth).toFixed(2)}`);
    });
  }

  test('a flat picture gives the whole picture, not an error', () => {
    const flat = new Uint8Array(SALIENCY_PX * SALIENCY_PX * 3).fill(128);
    assert.deepEqual(salientRegion(flat, SALIENCY_PX, SALIENCY_PX, 800, 600).box, { x1: 0, y1: 0, x2: 800, y2: 600 });
  });

  test('the box always lies inside the picture and is at least a fifth of each side', async () => {
    const t = await pasted({ left: 0, top: 0 }, 60, '#ffffff');
    const r = salientRegion(t.data, t.width, t.height, 1000, 700, t.channels);
    assert.ok(r.box.x1 >= 0 && r.box.y1 >= 0 && r.box.x2 <= 1000 && r.box.y2 <= 700);
    assert.ok(r.box.x2 - r.box.x1 >= 200 && r.box.y2 - r.box.y1 >= 140, JSON.stringify(r.box));
  });
});
