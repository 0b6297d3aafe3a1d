import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { demoPhoto } from '../../test/support/demo-photos.js';
import { isTusouError } from '../domain/index.js';
import type { Pixels } from './feature-extractor.js';
import { VisionPool } from './pool.js';

const CRASHING_WORKER = new URL('../../test/support/crashing-vision-worker.ts', import.meta.url);

async function pixels(size: number, seed = 0): Promise<Pixels> {
  const { data, info } = await sharp(demoPhoto('sample1')).extract({ left: seed * 10, top: 0, width: 1200, height: 1200 })
    .resize(size, size, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

describe('vision worker pool', () => {
  test('a worker that crashes fails its task with VISION_WORKER_FAILED, queued work still completes and the worker is replaced', async () => {
    const pool = new VisionPool({ size: 1, workerUrl: CRASHING_WORKER });
    try {
      const crash = pool.run({ op: 'extract', descriptor: 'crash-now', pixels: await pixels(64) });
      const queued = pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(64) });
      await assert.rejects(crash, (e) => isTusouError(e, 'VISION_WORKER_FAILED') && /exited with code 70/.test(e.message));
      assert.equal((await queued).length, 512);
      assert.equal(pool.crashes, 1);
      const later = await pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(64, 1) });
      assert.equal(later.length, 512);
    } finally {
      await pool.close();
    }
  });

  test('a worker that does not answer in time is stopped and replaced; its task fails with VISION_WORKER_FAILED', async () => {
    const pool = new VisionPool({ size: 1, workerUrl: CRASHING_WORKER, taskTimeoutMs: 1500 });
    try {
      const hang = pool.run({ op: 'extract', descriptor: 'hang-now', pixels: await pixels(64) });
      await assert.rejects(hang, (e) => isTusouError(e, 'VISION_WORKER_FAILED') && /did not answer within 1500 ms/.test(e.message));
      assert.equal((await pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(64) })).length, 512);
    } finally {
      await pool.close();
    }
  });

  test('a catalogue error raised in a worker keeps its code and the worker keeps serving', async () => {
    const pool = new VisionPool({ size: 1 });
    try {
      await assert.rejects(pool.run({ op: 'extract', descriptor: 'no-such@1', pixels: await pixels(64) }), (e) => isTusouError(e, 'DESCRIPTOR_UNKNOWN'));
      assert.equal((await pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(64) })).length, 512);
      assert.equal(pool.crashes, 0);
    } finally {
      await pool.close();
    }
  });

  test('pixels are moved to the worker, not copied', async () => {
    const pool = new VisionPool({ size: 1 });
    try {
      const p = await pixels(64);
      const done = pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: p });
      assert.equal(p.data.byteLength, 0, 'the caller-side buffer is detached once sent');
      await done;
    } finally {
      await pool.close();
    }
  });

  test('close() fails waiting tasks with VISION_WORKER_FAILED and later ones too', async () => {
    const pool = new VisionPool({ size: 1 });
    const [a, b] = [await pixels(64), await pixels(64)];
    // The first task may finish or be cut off by close(); the second is still waiting for the worker.
    const first = pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: a }).catch((e: unknown) => e);
    const waiting = assert.rejects(pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: b }), (e) => isTusouError(e, 'VISION_WORKER_FAILED'));
    await pool.close();
    await waiting;
    const r = await first;
    assert.ok(r instanceof Float32Array || isTusouError(r, 'VISION_WORKER_FAILED'));
    await assert.rejects(pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(64) }), (e) => isTusouError(e, 'VISION_WORKER_FAILED'));
  });

  describe('under a burst of CNN inference', () => {
    const pool = new VisionPool({ size: 2 });
    let inputs: Pixels[] = [];
    before(async () => {
      inputs = await Promise.all(Array.from({ length: 10 }, (_, i) => pixels(224, i)));
    });
    after(() => pool.close());

    test('the event loop stays responsive: a 10 ms timer is never late by more than 150 ms', async (t) => {
      // Inline, model loading alone (seconds) and each inference (~60 ms) would block the loop.
      const ticks: number[] = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        ticks.push(now - last);
        last = now;
      }, 10);
      const t0 = performance.now();
      const vectors = await Promise.all(inputs.map((p) => pool.run({ op: 'extract', descriptor: 'mnv2mid-gap1792@1', pixels: p })));
      const busyMs = performance.now() - t0;
      clearInterval(timer);
      assert.equal(vectors.length, 10);
      assert.ok(vectors.every((v) => v.length === 1792));
      assert.ok(busyMs > 300, `the burst took only ${busyMs.toFixed(0)} ms; nothing was tested`);
      assert.ok(ticks.length >= busyMs / 40, `${ticks.length} ticks in ${busyMs.toFixed(0)} ms`);
      const worst = Math.max(...ticks) - 10;
      assert.ok(worst < 150, `the timer was ${worst.toFixed(0)} ms late`);
      t.diagnostic(`burst ${busyMs.toFixed(0)} ms, ${ticks.length} ticks, worst lateness ${worst.toFixed(1)} ms`);
    });
  });
});
