// Local features and geometric verification on real photos (npm-shipped sample sheet).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { fullBox } from '../../domain/index.js';
import { decodeImage, type DecodedImage } from '../../imaging/index.js';
import { photo } from '../../../test/support/photos.js';
import { scene } from '../../../test/support/images.js';
import {
  deserialiseLocalFeatureSets, deserialiseLocalFeatures, extractOrb, serialiseLocalFeatureSets, serialiseLocalFeatures,
} from './local-features.js';
import { inlierConfidence } from './reranker.js';
import { getReranker } from './rerankers.js';
import { verifyGeometry } from './verify-geometry.js';

const LIMITS = { maxBytes: 16 * 1024 * 1024, minPx: 8, maxPx: 8192 };
const decode = (b: Buffer) => decodeImage(b, LIMITS);
const reranker = getReranker('orb-ransac@1');

async function greyOf(bytes: Buffer) {
  const { data, info } = await sharp(bytes).resize(512, 512, { fit: 'inside' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('ORB local features', () => {
  it('are deterministic and bounded by the keypoint budget', async () => {
    const grey = await greyOf(await photo('party'));
    const a = await extractOrb(grey, { maxKeypoints: 300, fastThreshold: 20 });
    const b = await extractOrb(grey, { maxKeypoints: 300, fastThreshold: 20 });
    assert.ok(a.count > 100 && a.count <= 300, `count ${a.count}`);
    assert.deepEqual(a, b);
    assert.equal(a.descriptors.length, a.count * 32);
    assert.ok(a.xy.every((v, i) => v >= 0 && v < (i % 2 ? grey.height : grey.width)));
  });

  it('round-trip through the stored blob (positions to 1/8 px, descriptors exactly)', async () => {
    const f = await extractOrb(await greyOf(await photo('dinner')), { maxKeypoints: 200, fastThreshold: 20 });
    const back = deserialiseLocalFeatures(serialiseLocalFeatures(f));
    assert.equal(back.count, f.count);
    assert.deepEqual(back.descriptors, f.descriptors);
    assert.ok(back.xy.every((v, i) => Math.abs(v - f.xy[i]) <= 1 / 16));
    const sets = deserialiseLocalFeatureSets(serialiseLocalFeatureSets([f, f]));
    assert.equal(sets.length, 2);
    assert.deepEqual(sets[1].descriptors, f.descriptors);
  });

  it('reject a blob that is not local features', () => {
    assert.throws(() => deserialiseLocalFeatures(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), /bad magic/);
    const f = serialiseLocalFeatures({ width: 10, height: 10, count: 1, xy: new Float32Array(2), descriptors: new Uint8Array(32) });
    assert.throws(() => deserialiseLocalFeatures(f.subarray(0, f.length - 1)), /does not hold/);
  });
});

describe('geometric verification', () => {
  let party: DecodedImage;
  let partial: DecodedImage;
  let flipped: DecodedImage;
  let dinner: DecodedImage;
  let shapes: DecodedImage;

  before(async () => {
    const p = await photo('party');
    const m = await sharp(p).metadata();
    party = await decode(p);
    // A 45 % corner crop, rotated by 10 degrees and recompressed: a partial view of the photo.
    partial = await decode(await sharp(await sharp(p).extract({ left: 0, top: 0, width: Math.round(m.width! * 0.45), height: Math.round(m.height! * 0.45) }).toBuffer())
      .rotate(10, { background: '#000' }).jpeg({ quality: 60 }).toBuffer());
    flipped = await decode(await sharp(p).flop().resize(400).jpeg({ quality: 70 }).toBuffer());
    dinner = await decode(await photo('dinner'));
    shapes = await decode(await scene(3, { width: 500, height: 400 }));
  });

  const verify = async (query: DecodedImage, candidate: DecodedImage) => reranker.verify(
    await reranker.describe(query, fullBox(query.width, query.height), 'query'),
    await reranker.describe(candidate, fullBox(candidate.width, candidate.height), 'database'),
  );

  it('accepts a rotated partial view of a real photo with many inliers', async () => {
    const v = await verify(partial, party);
    // Unrelated pictures reach ~6 inliers by chance; this pair found 31 when the test was written.
    assert.ok(v.inliers >= 20, `inliers ${v.inliers}`);
    assert.ok(v.confidence > 0.5, `confidence ${v.confidence}`);
  });

  it('accepts a mirrored copy through the query\'s mirror-image features', async () => {
    const v = await verify(flipped, party);
    assert.ok(v.confidence > 0.8, `inliers ${v.inliers}`);
  });

  it('rejects unrelated pictures (no confidence)', async () => {
    for (const [q, c] of [[partial, dinner], [dinner, party], [shapes, party], [partial, shapes]] as const) {
      const v = await verify(q, c);
      assert.equal(v.confidence, 0, `inliers ${v.inliers}`);
    }
  });

  it('finds nothing between pictures without keypoints', async () => {
    const flat = { width: 64, height: 64, count: 0, xy: new Float32Array(0), descriptors: new Uint8Array(0) };
    assert.deepEqual(await verifyGeometry(flat, flat), { matches: 0, inliers: 0 });
  });

  it('maps inliers to a confidence that is 0 below the chance level and rises monotonically', () => {
    assert.equal(inlierConfidence(0), 0);
    assert.equal(inlierConfidence(11), 0);
    let prev = 0;
    for (const n of [12, 15, 20, 40, 100]) {
      const c = inlierConfidence(n);
      assert.ok(c > prev && c < 1);
      prev = c;
    }
  });
});
