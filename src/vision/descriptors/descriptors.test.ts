// The descriptor contract, run on every registered descriptor (LIRE's TestGlobalFeature, with
// real assertions).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { scene } from '../../../test/support/images.js';
import { decodeImage, toRaw } from '../../imaging/index.js';
import { kernelFor } from '../../index/index.js';
import { listExtractors } from '../registry.js';

const LIMITS = { maxBytes: 8 * 1024 * 1024, minPx: 8, maxPx: 8192 };

for (const e of listExtractors()) {
  describe(`descriptor ${e.id}`, () => {
    const vectorOf = async (bytes: Buffer) => e.extract(await toRaw(await decodeImage(bytes, LIMITS), e.input));
    const kernel = kernelFor(e.metric, e.kind);

    test('declares a versioned id and produces vectors of its dimension', async () => {
      assert.match(e.id, /^[a-z0-9-]+@\d+$/);
      const v = await vectorOf(await scene(1));
      assert.equal(v.length, e.kind === 'binary' ? e.dim / 8 : e.dim);
      if (e.kind === 'float') {
        assert.ok([...v].every(Number.isFinite));
        assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5, 'float vectors are L2-normalised');
      }
    });

    test('is deterministic and at distance 0 from itself; bytes round-trip exactly', async () => {
      const pic = await scene(2);
      const a = await vectorOf(pic);
      const b = await vectorOf(pic);
      assert.deepEqual(a, b);
      assert.ok(kernel(a, b) < 1e-6);
      const copy = e.kind === 'binary' ? new Uint8Array(Buffer.from(a.buffer.slice(0))) : new Float32Array(Buffer.from(a.buffer.slice(0)).buffer);
      assert.deepEqual(copy, a);
    });

    test('a rescaled copy is nearer than an unrelated picture', async () => {
      const pic = await scene(5, { width: 400, height: 300 });
      const small = await sharp(pic).resize(200).jpeg({ quality: 80 }).toBuffer();
      const [a, b] = [await vectorOf(pic), await vectorOf(small)];
      for (const other of [6, 7, 8]) assert.ok(kernel(a, b) < kernel(a, await vectorOf(await scene(other, { width: 400, height: 300 }))));
    });
  });
}
