// Small vector helpers shared by descriptors.

/** Scale `v` in place to unit L2 norm (a zero vector stays zero) and return it. */
export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/**
 * Parts concatenated, each multiplied by its factor, then L2-normalised: the fused descriptors.
 * With unit-length parts, the cosine of two fused vectors is the factor²-weighted sum of the
 * parts' cosines.
 */
export function weightedConcat(parts: readonly (readonly [ArrayLike<number>, number])[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, [v]) => n + v.length, 0));
  let at = 0;
  for (const [v, factor] of parts) {
    for (let i = 0; i < v.length; i++) out[at + i] = v[i] * factor;
    at += v.length;
  }
  return l2normalise(out);
}

/** Pack booleans (bit i of byte i>>3, most significant first) into a binary code. */
export function packBits(bits: ArrayLike<boolean | number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}
