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

  test('a full queue refuses more work at once with SERVER_BUSY and a Retry-After; the queued work, and an admitted request\'s next task, are untouched', async () => {
    const pool = new VisionPool({ size: 1, workerUrl: CRASHING_WORKER, maxQueued: 2, taskTimeoutMs: 5000 });
    try {
      const inputs = await Promise.all([0, 1, 2, 3].map((i) => pixels(32, i)));
      const hung = pool.run({ op: 'extract', descriptor: 'hang-now', pixels: inputs[0] }).catch((e: unknown) => e);
      const queued = [1, 2].map((i) => pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: inputs[i] }).catch((e: unknown) => e));
      assert.equal(pool.queued, 2);
      const t0 = performance.now();
      await assert.rejects(pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: inputs[3] }), (e) => {
        const d = (e as { details?: { retryAfterS?: number } }).details;
        return isTusouError(e, 'SERVER_BUSY') && typeof d?.retryAfterS === 'number' && d.retryAfterS >= 1;
      });
      assert.ok(performance.now() - t0 < 200, 'refused without waiting');
      assert.deepEqual(pool.stats(), { queued: 2, busy: 1, workers: 1, rejected: 1 });
      // A task that continues an admitted request is queued all the same.
      const followUp = pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(32, 4) }, { admitted: true });
      assert.deepEqual(pool.stats(), { queued: 3, busy: 1, workers: 1, rejected: 1 });
      // The stuck worker is replaced at its deadline; the queued tasks then complete.
      assert.ok(isTusouError(await hung, 'VISION_WORKER_FAILED'));
      for (const v of await Promise.all([...queued, followUp])) assert.equal((v as Float32Array).length, 512);
    } finally {
      await pool.close();
    }
  });

  test('a task that waits longer than maxWaitMs fails with SERVER_BUSY instead of waiting on', async () => {
    const pool = new VisionPool({ size: 1, workerUrl: CRASHING_WORKER, maxWaitMs: 150, taskTimeoutMs: 3000 });
    try {
      const hung = pool.run({ op: 'extract', descriptor: 'hang-now', pixels: await pixels(32) }).catch((e: unknown) => e);
      await assert.rejects(pool.run({ op: 'extract', descriptor: 'colour-hist-rgb512@1', pixels: await pixels(32) }), (e) => isTusouError(e, 'SERVER_BUSY') && /waited 150 ms/.test(e.message));
      assert.equal(pool.queued, 0);
      await hung;
    } finally {
      await pool.close();
    }
  });

  test('warm() starts every worker and loads its models before the first request', async () => {
    const pool = new VisionPool({ size: 2 });
    try {
      const blank = () => ({ data: new Uint8Array(224 * 224 * 3).fill(128), width: 224, height: 224, channels: 3 });
      assert.equal(pool.stats().workers, 0, 'workers start on first use');
      await pool.warm(() => [{ op: 'extract', descriptor: 'mnv2mid-gap1792@1', pixels: blank() }]);
      assert.deepEqual(pool.stats(), { queued: 0, busy: 0, workers: 2, rejected: 0 });
      assert.equal((await pool.run({ op: 'extract', descriptor: 'mnv2mid-gap1792@1', pixels: await pixels(224) })).length, 1792);
      await pool.warm(() => [{ op: 'extract', descriptor: 'mnv2mid-gap1792@1', pixels: blank() }]);
      assert.equal(pool.stats().workers, 2, 'warming again starts no more workers');
    } finally {
      await pool.close();
    }
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
