// fast-check generator of damaged pictures: flipped bytes, truncations, spliced garbage.

import fc from 'fast-check';

/** A mutation of `bytes`: flip bytes, truncate, or splice in garbage. */
export const mutation = (bytes: Buffer) => fc.oneof(
  fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 })
    .map((flips) => { const b = Buffer.from(bytes); for (const [i, v] of flips) b[i] = v; return b; }),
  fc.nat({ max: bytes.length - 1 }).map((n) => bytes.subarray(0, n)),
  fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 64 }))
    .map(([at, junk]) => Buffer.concat([bytes.subarray(0, at), Buffer.from(junk), bytes.subarray(at)])),
);

