import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shrinkArea } from './deep-concat.js';

test('area shrinking averages the input each output pixel covers, fractional edges weighted', () => {
  // 3×1 grey → 2×1: the first output covers inputs [0, 1.5), the second [1.5, 3).
  const out = shrinkArea({ data: Uint8Array.of(0, 90, 210), width: 3, height: 1, channels: 1 }, 2, 1);
  assert.deepEqual([...out.data], [Math.round((0 + 0.5 * 90) / 1.5), Math.round((0.5 * 90 + 210) / 1.5)]);
  // 2×2 RGB → 1×1: the mean of the four pixels, per channel.
  const rgb = shrinkArea({ data: Uint8Array.of(10, 0, 0, 20, 0, 0, 30, 0, 4, 40, 0, 8), width: 2, height: 2, channels: 3 }, 1, 1);
  assert.deepEqual([...rgb.data], [25, 0, 3]);
  assert.equal(rgb.width * rgb.height * rgb.channels, rgb.data.length);
});
