import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadOpenCv } from './opencv.js';

it('loading OpenCV.js leaves the process-wide error handlers as they were, and loads once', async () => {
  const rejection = process.listeners('unhandledRejection');
  const exception = process.listeners('uncaughtException');
  const cv = await loadOpenCv();
  assert.deepEqual(process.listeners('unhandledRejection'), rejection);
  assert.deepEqual(process.listeners('uncaughtException'), exception);
  assert.equal(typeof cv.ORB, 'function');
  assert.equal(await loadOpenCv(), cv);
  assert.equal((cv as unknown as { then?: unknown }).then, undefined, 'the module is no longer a thenable');
});
