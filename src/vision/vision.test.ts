import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { LABELLED, demoPhoto } from '../../test/support/demo-photos.js';
import { decodeImage, type DecodedImage } from '../imaging/index.js';
import { iou } from './detectors/regions.js';
import { createVision, type Vision } from './vision.js';

const LIMITS = { maxBytes: 64 * 1024 * 1024, minPx: 16, maxPx: 8192 };
const decode = (b: Buffer) => decodeImage(b, LIMITS);

// One pool for the file: models load once (a few seconds), then each detection is ~0.2 s.
describe('vision facade with the real CenterNet detector', () => {
  let vision: Vision;
  const decoded = new Map<string, DecodedImage>();
  before(async () => {
    vision = createVision({ pool: { size: 1 } });
    for (const name of ['sample2', 'sample6'] as const) decoded.set(name, await decode(demoPhoto(name)));
  });
  after(() => vision.close());

  for (const [what, truth] of Object.entries(LABELLED)) {
    test(`detection finds the ${what} (hand-labelled box): a ${truth.label} region with IoU ≥ 0.7`, async () => {
      const a = await vision.analyse(decoded.get(truth.photo)!, { descriptor: 'colour-hist-rgb512@1', detect: true });
      const best = Math.max(0, ...a.regions.filter((r) => r.label === truth.label).map((r) => iou(r.box, truth.box)));
      assert.ok(best >= 0.7, `best IoU ${best.toFixed(2)}; regions ${JSON.stringify(a.regions)}`);
    });
  }

  test('the main region of a group photo is one of the people, and no category is predicted from a person', async () => {
    const a = await vision.analyse(decoded.get('sample6')!, { descriptor: 'colour-hist-rgb512@1', detect: true, predictCategory: true });
    const people = [LABELLED['woman in the green dress'].box, LABELLED['woman in the red dress'].box];
    assert.ok(people.some((p) => iou(a.region, p) >= 0.7), `main region ${JSON.stringify(a.region)}`);
    assert.equal(a.categoryId, undefined);
  });

  test('a picture of a phone predicts Digital device (22) for a product instance, nothing for a generic one', async () => {
    // The lower-left corner of sample2: the phone on the sofa, a knee and a hand.
    const crop = await sharp(demoPhoto('sample2')).extract({ left: 0, top: 1100, width: 520, height: 267 }).jpeg({ quality: 92 }).toBuffer();
    const img = await decode(crop);
    const product = await vision.analyse(img, { descriptor: 'colour-hist-rgb512@1', detect: true, predictCategory: true });
    assert.equal(product.categoryId, 22, JSON.stringify(product.regions));
    const phone = product.regions.find((r) => r.label === 'cell phone');
    assert.equal(phone?.categoryId, 22);
    assert.ok(iou(product.region, { x1: 72, y1: 152, x2: 300, y2: 246 }) >= 0.6, `main region ${JSON.stringify(product.region)}`);
    const generic = await vision.analyse(img, { descriptor: 'colour-hist-rgb512@1', detect: true, predictCategory: false });
    assert.equal(generic.categoryId, undefined);
    assert.ok(generic.regions.every((r) => r.categoryId === undefined));
  });

  test("a caller's region overrides detection and is what gets described", async () => {
    const img = decoded.get('sample2')!;
    const region = { x1: 100, y1: 200, x2: 900, y2: 1000 };
    const a = await vision.analyse(img, { descriptor: 'mnv2mid-gap1792@1', detect: true, region });
    assert.deepEqual(a.region, region);
    assert.deepEqual(a.regions, []);
    const whole = await vision.analyse(img, { descriptor: 'mnv2mid-gap1792@1', detect: false });
    assert.deepEqual(whole.region, { x1: 0, y1: 0, x2: img.width, y2: img.height });
    assert.notDeepEqual(a.vector, whole.vector);
  });

  test('the descriptor of a query is computed on its main region', async () => {
    const img = decoded.get('sample6')!;
    const detected = await vision.analyse(img, { descriptor: 'mnv2mid-gap1792@1', detect: true });
    const explicit = await vision.analyse(img, { descriptor: 'mnv2mid-gap1792@1', detect: false, region: detected.region });
    assert.deepEqual(detected.vector, explicit.vector);
  });

  test('a picture with nothing to detect falls back to a salient or whole-picture region, never an error', async () => {
    const flat = await decode(await sharp({ create: { width: 400, height: 300, channels: 3, background: '#6a7f8c' } }).png().toBuffer());
    const a = await vision.analyse(flat, { descriptor: 'mnv2mid-gap1792@1', detect: true, predictCategory: true });
    assert.deepEqual(a.regions, []);
    assert.deepEqual(a.region, { x1: 0, y1: 0, x2: 400, y2: 300 });
    assert.equal(a.categoryId, undefined);
    assert.equal(a.vector.length, 1792);
  });

  test('the CenterNet backbone vector that detection gives for free equals the descriptor computed on its own', async () => {
    // A flat picture: nothing detected, the main region is the whole picture, so the detection pass's vector is used.
    const flat = await decode(await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c0a080' } }).jpeg().toBuffer());
    const free = await vision.analyse(flat, { descriptor: 'centernet-gem480@1', detect: true });
    const own = await vision.analyse(flat, { descriptor: 'centernet-gem480@1', detect: false });
    assert.deepEqual(free.region, own.region);
    let dot = 0;
    for (let i = 0; i < own.vector.length; i++) dot += free.vector[i] * own.vector[i];
    assert.ok(1 - dot < 1e-5, `cosine distance ${1 - dot}`);
  });

  test('the saliency-only detector needs no model and still gives a region inside the picture', async () => {
    const v = createVision({ detector: 'saliency' });
    try {
      const img = decoded.get('sample2')!;
      const a = await v.analyse(img, { descriptor: 'colour-hist-rgb512@1', detect: true });
      assert.deepEqual(a.regions, []);
      assert.ok(a.region.x1 >= 0 && a.region.y1 >= 0 && a.region.x2 <= img.width && a.region.y2 <= img.height && a.region.x2 > a.region.x1);
    } finally {
      await v.close();
    }
  });
});
