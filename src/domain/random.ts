// A small deterministic PRNG, for everything that must draw the same numbers from the same seed
// on every node and in every run (projection matrices, benchmark data, test pictures).

/**
 * mulberry32: uniform numbers in [0, 1) from a 32-bit seed.
 * @example const r = mulberry32(1); r(); // 0.627…, the same on every run
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
