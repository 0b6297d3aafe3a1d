// Mutation fuzz of picture decoding: flipped bytes, truncations and splices of real encoded
// pictures either decode or fail with an IMAGE_* code; nothing else escapes.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { mutation } from '../../test/support/mutations.js';
import { isTusouError } from '../domain/index.js';
import { decodeImage } from './decode.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const LIMITS = { maxBytes: 4 * 1024 * 1024, minPx: 1, maxPx: 4096 };

for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const) {
  test(`mutated ${format} pictures decode or fail with an IMAGE_* code`, async () => {
    const bytes = await scene(11, { format, width: 64, height: 48 });
    await fc.assert(fc.asyncProperty(mutation(bytes), async (b) => {
      try {
        const img = await decodeImage(b, LIMITS);
        assert.equal(img.work.data.length, img.work.width * img.work.height * 3);
      } catch (e) {
        if (!isTusouError(e) || !e.code.startsWith('IMAGE_')) throw e;
      }
    }), { numRuns: RUNS });
  });
}
