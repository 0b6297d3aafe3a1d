// Local features and verification run in the vision workers (not on the event loop) and give
// exactly what the same reranker gives on the calling thread.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { fullBox } from '../../domain/index.js';
import { decodeImage, type DecodedImage } from '../../imaging/index.js';
import { photo } from '../../../test/support/photos.js';
import { createVision, type Vision } from '../vision.js';
import { getReranker } from './rerankers.js';

const LIMITS = { maxBytes: 16 * 1024 * 1024, minPx: 8, maxPx: 8192 };
const reranker = getReranker('orb-ransac@1');

describe('local features in the vision pool', () => {
  let vision: Vision;
  let original: DecodedImage;
  let crop: DecodedImage;
  let other: DecodedImage;
  before(async () => {
    vision = createVision({ detector: 'saliency', pool: { size: 2 } });
    const party = await photo('party');
    original = await decodeImage(party, LIMITS);
    const meta = await sharp(party).metadata();
    crop = await decodeImage(await sharp(party).extract({ left: 0, top: 0, width: Math.round(meta.width! * 0.6), height: Math.round(meta.height! * 0.6) }).jpeg({ quality: 85 }).toBuffer(), LIMITS);
    other = await decodeImage(await photo('dinner'), LIMITS);
  });
  after(() => vision.close());

  it('a query\'s features from the pool equal those computed here; verification agrees, spread over the workers', async () => {
    const local = { reranker: reranker.id, form: 'query' as const };
    const q = await vision.analyse(crop, { descriptor: 'colour-hist-rgb512@1', detect: false, local });
    assert.deepEqual(q.local, await reranker.describe(crop, fullBox(crop.width, crop.height), 'query'));
    assert.ok((q.timings?.local ?? -1) >= 0);
    const db = async (img: DecodedImage) => (await vision.analyse(img, { descriptor: 'colour-hist-rgb512@1', detect: false, local: { reranker: reranker.id, form: 'database' } })).local!;
    const candidates = [
      { blob: await db(other), mirror: true }, { blob: await db(original), mirror: true },
      { blob: await db(other), mirror: false }, { blob: await db(original), mirror: false }, { blob: await db(crop), mirror: false },
    ];
    const verdicts = await vision.verify(reranker.id, q.local!, candidates);
    const here = await Promise.all(candidates.map((c) => reranker.verify(q.local!, c.blob, c.mirror)));
    const confidences = verdicts.map((v) => v.confidence);
    assert.deepEqual(confidences, here.map((e) => e.confidence));
    assert.equal(confidences[0], 0, 'an unrelated picture does not verify');
    assert.equal(verdicts[0].points, undefined, 'and has no matched keypoints');
    assert.ok(confidences[1] > 0.5 && confidences[3] > 0.5, 'the crop verifies against its original');
    // The inliers on the original: the evidence the console draws, inside the top-left 60 % the crop shows.
    const size = reranker.featureSize(fullBox(original.width, original.height));
    const points = verdicts[3].points!;
    assert.deepEqual(points, here[3].points);
    assert.equal(points.length / 2, here[3].inliers);
    for (let i = 0; i < points.length; i += 2) {
      assert.ok(points[i] >= 0 && points[i] <= 0.62 * size.width && points[i + 1] >= 0 && points[i + 1] <= 0.62 * size.height, `inlier ${points[i]},${points[i + 1]} of ${size.width}x${size.height}`);
    }
    assert.deepEqual(await vision.verify(reranker.id, q.local!, []), []);
  });
});
