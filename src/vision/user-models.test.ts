import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../../test/support/server.js';
import { TINY_DIM, TINY_PX, TINY_WORDS, writeTinyClip } from '../../test/support/tiny-clip.js';
import { isTusouError } from '../domain/index.js';
import { VisionPool } from './pool.js';
import { addExtractorSource, getExtractor, hasExtractor } from './registry.js';
import { UserModels } from './user-models.js';

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
const unit = (v: readonly number[]) => v.map((x) => x / norm(v));

function solid(rgb: [number, number, number], px = TINY_PX) {
  const data = new Uint8Array(px * px * 3);
  for (let i = 0; i < px * px; i++) data.set(rgb, i * 3);
  return { data, width: px, height: px, channels: 3 };
}

describe('user-provided CLIP-style models (test-built tiny ONNX model)', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const fresh = async () => { const d = await tempDir('tusou-models-'); dirs.push(d); return d; };

  test('models add copies the files, probes both encoders and records dim, names and preprocessing', async () => {
    const src = writeTinyClip(await fresh());
    const models = new UserModels(join(await fresh(), 'models'));
    const info = await models.add('tiny', src, { now: 1000 });
    assert.deepEqual({ ...info, source: undefined }, { name: 'tiny', version: 1, descriptor: 'clip:tiny@1', dim: TINY_DIM, imageSize: TINY_PX, source: undefined, addedAt: 1000 });
    const manifest = JSON.parse(readFileSync(join(models.dir, 'tiny', 'tusou-model.json'), 'utf8'));
    assert.equal(manifest.image.input, 'pixel_values');
    assert.equal(manifest.image.output, 'image_embeds');
    assert.equal(manifest.text.output, 'text_embeds');
    assert.deepEqual(manifest.image.mean, [0.5, 0.5, 0.5]);
    assert.ok(existsSync(join(models.dir, 'tiny', 'onnx', 'vision_model.onnx')), 'the model files live in the data directory');
    assert.deepEqual(models.list().map((e) => e.id), ['clip:tiny@1']);
  });

  test('the loaded model returns unit vectors of the declared dimension for pictures and texts, in its shared space', async () => {
    const models = new UserModels(join(await fresh(), 'models'));
    await models.add('tiny', writeTinyClip(await fresh()));
    const e = models.find('clip:tiny@1')!;
    assert.equal(e.dim, TINY_DIM);
    assert.deepEqual(e.input, { width: TINY_PX, height: TINY_PX, fit: 'cover' });
    const red = await e.extract(solid([255, 0, 0]));
    assert.equal(red.length, TINY_DIM);
    assert.ok(Math.abs(norm(red) - 1) < 1e-5);
    // Pure red with mean = std = 0.5 is (1, −1, −1) before the projection.
    assert.deepEqual(Array.from(red, (x) => Number(x.toFixed(5))), unit([1, -1, -1, 0]).map((x) => Number(x.toFixed(5))));
    const text = await e.embedText!('A photo of a RED shoe');
    assert.equal(text.length, TINY_DIM);
    assert.deepEqual(Array.from(text, (x) => Number(x.toFixed(5))), unit([...TINY_WORDS.red]).map((x) => Number(x.toFixed(5))));
  });

  test('a second add under the same name is refused; --replace registers a new version', async () => {
    const models = new UserModels(join(await fresh(), 'models'));
    const src = writeTinyClip(await fresh());
    await models.add('tiny', src);
    await assert.rejects(models.add('tiny', src), (err) => isTusouError(err, 'MODEL_EXISTS'));
    const v2 = await models.add('tiny', src, { replace: true });
    assert.equal(v2.descriptor, 'clip:tiny@2');
    assert.equal(models.find('clip:tiny@1'), undefined);
    assert.ok(models.find('clip:tiny@2'));
  });

  test('broken folders and names are refused with MODEL_INVALID, naming what is wrong', async () => {
    const models = new UserModels(join(await fresh(), 'models'));
    await assert.rejects(models.add('bad name!', await fresh()), (err) => isTusouError(err, 'MODEL_INVALID') && /name/.test(err.message));
    await assert.rejects(models.add('tiny', writeTinyClip(await fresh(), { withoutTextModel: true })), (err) => isTusouError(err, 'MODEL_INVALID') && /text encoder/.test(err.message));
    await assert.rejects(models.add('tiny', writeTinyClip(await fresh(), { visionDim: 3 })), (err) => isTusouError(err, 'MODEL_INVALID') && /3-d .* 4-d/.test(err.message));
    await assert.rejects(models.add('tiny', join(await fresh(), 'missing')), (err) => isTusouError(err, 'MODEL_INVALID') && /does not exist/.test(err.message));
    assert.deepEqual(models.info(), [], 'nothing half-registered is left behind');
    assert.throws(() => models.remove('tiny'), (err) => isTusouError(err, 'MODEL_NOT_FOUND'));
  });

  test('registered as a source, the model is a descriptor in this thread and in the vision workers', async () => {
    const models = new UserModels(join(await fresh(), 'models'));
    await models.add('tinyw', writeTinyClip(await fresh()));
    const registration = addExtractorSource(models);
    const pool = new VisionPool({ size: 1, workerData: { modelsDir: models.dir } });
    try {
      assert.ok(hasExtractor('clip:tinyw@1'));
      assert.equal(getExtractor('clip:tinyw@1').dim, TINY_DIM);
      const v = await pool.run({ op: 'extract', descriptor: 'clip:tinyw@1', pixels: solid([0, 0, 255]) });
      assert.deepEqual(Array.from(v, (x) => Number(x.toFixed(5))), unit([-1, -1, 1, 0]).map((x) => Number(x.toFixed(5))));
      const t = await pool.run({ op: 'embed-text', descriptor: 'clip:tinyw@1', text: 'blue' });
      assert.equal(t.length, TINY_DIM);
    } finally {
      await pool.close();
      registration.remove();
    }
    assert.equal(hasExtractor('clip:tinyw@1'), false);
  });
});
