// The descriptor contract, run on every registered descriptor (LIRE's TestGlobalFeature, with
// real assertions): dimension, finite values, determinism, self-distance 0, exact byte round-trip,
// and that a rescaled copy of a photo is nearer than an unrelated photo.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Vector } from '../../domain/index.js';
import { decodeImage, type DecodedImage } from '../../imaging/index.js';
import { nearCopy, scene } from '../../../test/support/images.js';
import { photo } from '../../../test/support/photos.js';
import { createVision, listExtractors } from '../index.js';

const LIMITS = { maxBytes: 16 * 1024 * 1024, minPx: 8, maxPx: 8192 };

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

/** Cosine distance for floats, Hamming bits for codes: the descriptors' own metrics. */
function distance(a: Vector, b: Vector): number {
  if (a instanceof Float32Array && b instanceof Float32Array) {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    return 1 - dot;
  }
  let bits = 0;
  for (let i = 0; i < a.length; i++) bits += popcount(a[i] ^ b[i]);
  return bits;
}

/** What the store does with a vector: raw bytes out, a typed array of the same kind back. */
function roundTrip(v: Vector): Vector {
  const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return v instanceof Float32Array ? new Float32Array(copy) : new Uint8Array(copy);
}

describe('every registered descriptor meets the descriptor contract', () => {
  const vision = createVision();
  const pictures: Record<string, DecodedImage> = {};
  const describe1 = async (id: string, name: string) => (await vision.analyse(pictures[name], { descriptor: id, detect: false })).vector;

  before(async () => {
    const party = await photo('party');
    const s1 = await scene(11, { width: 400, height: 300 });
    const bytes: Record<string, Buffer> = {
      party, partySmall: await nearCopy(await nearCopy(party)), dinner: await photo('dinner'),
      scene: s1, sceneSmall: await nearCopy(s1), otherScene: await scene(12, { width: 400, height: 300 }),
    };
    for (const [k, b] of Object.entries(bytes)) pictures[k] = await decodeImage(b, LIMITS);
  });

  for (const e of listExtractors()) {
    describe(e.id, () => {
      it('has the declared dimension, kind and finite values', async () => {
        const v = await describe1(e.id, 'party');
        if (e.kind === 'float') {
          assert.ok(v instanceof Float32Array);
          assert.equal(v.length, e.dim);
          assert.ok(v.every(Number.isFinite));
          const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
          assert.ok(Math.abs(norm - 1) < 1e-4, `float vectors are L2-normalised; norm ${norm}`);
        } else {
          assert.ok(v instanceof Uint8Array);
          assert.equal(v.length * 8, e.dim);
        }
      });

      it('is deterministic and at distance 0 from itself', async () => {
        const a = await describe1(e.id, 'party');
        const b = await describe1(e.id, 'party');
        assert.deepEqual(a, b);
        assert.ok(Math.abs(distance(a, b)) < 1e-6);
      });

      it('survives the byte round-trip the store makes exactly', async () => {
        const v = await describe1(e.id, 'scene');
        const back = roundTrip(v);
        assert.equal(back.constructor, v.constructor);
        assert.deepEqual(back, v);
        assert.ok(Math.abs(distance(v, back)) < 1e-6);
      });

      it('puts a rescaled, recompressed copy nearer than an unrelated picture', async () => {
        for (const [orig, copy, other] of [['party', 'partySmall', 'dinner'], ['scene', 'sceneSmall', 'otherScene']]) {
          const o = await describe1(e.id, orig);
          const dCopy = distance(o, await describe1(e.id, copy));
          const dOther = distance(o, await describe1(e.id, other));
          assert.ok(dCopy < dOther, `${orig}: copy at ${dCopy}, unrelated at ${dOther}`);
        }
      });
    });
  }
});
