// The descriptor contract's "rescaled copy is nearer" clause on real photographs (the sample
// sheet shipped by @vladmandic/human), for every registered descriptor: scenes of flat shapes
// (descriptors.test.ts) are kind to histograms; photos have texture, clutter and JPEG noise.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, toRaw } from '../../imaging/index.js';
import { kernelFor } from '../../index/index.js';
import { photo } from '../../../test/support/photos.js';
import { listExtractors } from '../registry.js';

const LIMITS = { maxBytes: 16 * 1024 * 1024, minPx: 8, maxPx: 8192 };

describe('on real photos, every descriptor puts a rescaled copy nearer than an unrelated photo', () => {
  const bytes: Record<string, Buffer> = {};
  before(async () => {
    bytes.party = await photo('party');
    bytes.partySmall = await sharp(bytes.party).resize(256).jpeg({ quality: 60 }).toBuffer();
    bytes.dinner = await photo('dinner');
    bytes.portrait = await photo('portrait');
  });

  for (const e of listExtractors()) {
    it(e.id, async () => {
      const vectorOf = async (b: Buffer) => e.extract(await toRaw(await decodeImage(b, LIMITS), e.input));
      const kernel = kernelFor(e.metric, e.kind);
      const original = await vectorOf(bytes.party);
      const copy = kernel(original, await vectorOf(bytes.partySmall));
      for (const other of ['dinner', 'portrait']) {
        const d = kernel(original, await vectorOf(bytes[other]));
        assert.ok(copy < d, `copy at ${copy}, ${other} at ${d}`);
      }
    });
  }
});
