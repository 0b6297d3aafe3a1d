import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { demoPhoto } from '../../../test/support/demo-photos.js';
import type { Vector } from '../../domain/index.js';
import { decodeImage, toRaw, type DecodedImage } from '../../imaging/index.js';
import type { FeatureExtractor, Pixels } from '../feature-extractor.js';
import { VisionPool } from '../pool.js';
import { listExtractors } from '../registry.js';

const LIMITS = { maxBytes: 64 * 1024 * 1024, minPx: 16, maxPx: 8192 };

function cosineDistance(a: Vector, b: Vector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return 1 - dot / Math.sqrt(na * nb);
}

// Picture descriptors only: face descriptors need faces and have their own suite (src/engine/face-search.test.ts).
const DEEP = listExtractors().filter((e) => e.pooled && !e.faces);

// The CNN descriptors run in the pool, as in production; one pool serves the whole file.
describe('CNN descriptors (real models from npm packages, run in the worker pool)', () => {
  const pool = new VisionPool({ size: 1, batchMax: 4 });
  let original: DecodedImage;
  let rescaled: DecodedImage;
  let unrelated: DecodedImage;
  before(async () => {
    const bytes = demoPhoto('sample1');
    original = await decodeImage(bytes, LIMITS);
    // A person would call it the same picture: half size, re-encoded at lower quality.
    rescaled = await decodeImage(await sharp(bytes).resize(960).jpeg({ quality: 75 }).toBuffer(), LIMITS);
    unrelated = await decodeImage(demoPhoto('sample4'), LIMITS);
  });
  after(() => pool.close());

  const cut = (e: FeatureExtractor, img: DecodedImage): Promise<Pixels> => toRaw(img, e.input);
  const extract = async (e: FeatureExtractor, img: DecodedImage) => pool.run({ op: 'extract', descriptor: e.id, pixels: await cut(e, img) });

  test('the deep descriptors are registered with a versioned id', () => {
    assert.deepEqual(DEEP.map((e) => e.id).sort(), ['centernet-gem480@1', 'mnv2mid-cn2272@1', 'mnv2mid-colour2304@1', 'mnv2mid-gap1792@1']);
  });

  for (const e of DEEP) {
    describe(e.id, () => {
      test(`gives ${e.dim} finite values of unit length, the same for the same pixels`, async () => {
        const a = await extract(e, original);
        const b = await extract(e, original);
        assert.ok(a instanceof Float32Array);
        assert.equal(a.length, e.dim);
        assert.ok(a.every(Number.isFinite));
        const norm = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
        assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
        assert.deepEqual(a, b);
        assert.ok(cosineDistance(a, b) < 1e-6);
      });

      test('a rescaled, re-encoded copy is nearer than an unrelated photo', async () => {
        const a = await extract(e, original);
        const near = cosineDistance(a, await extract(e, rescaled));
        const far = cosineDistance(a, await extract(e, unrelated));
        assert.ok(near < far / 3, `copy ${near.toFixed(4)} vs unrelated ${far.toFixed(4)}`);
      });

      test('a batch gives the same vectors as one-by-one extraction', async () => {
        const imgs = [original, rescaled, unrelated];
        const single: Vector[] = [];
        for (const img of imgs) single.push(await extract(e, img));
        const batch = await e.extractBatch!(await Promise.all(imgs.map((img) => cut(e, img))));
        batch.forEach((v, i) => assert.ok(cosineDistance(v, single[i]) < 1e-5, `item ${i}: ${cosineDistance(v, single[i])}`));
      });
    });
  }

  test('queued extractions for one descriptor are batched by the pool and each gets its own result', async () => {
    const e = DEEP.find((x) => x.id === 'mnv2mid-gap1792@1')!;
    const imgs = [original, rescaled, unrelated, original];
    const inputs = await Promise.all(imgs.map((img) => cut(e, img)));
    const vectors = await Promise.all(inputs.map((pixels) => pool.run({ op: 'extract', descriptor: e.id, pixels })));
    assert.ok(cosineDistance(vectors[0], vectors[3]) < 1e-5);
    assert.ok(cosineDistance(vectors[0], vectors[1]) < cosineDistance(vectors[0], vectors[2]));
  });
});
