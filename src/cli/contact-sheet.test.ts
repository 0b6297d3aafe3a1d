import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { openEngine } from '../app.js';
import { createLogger } from '../api/logger.js';
import { loadConfig } from '../config.js';
import { ANNOTATION_RGB } from '../imaging/index.js';
import { scene } from '../../test/support/images.js';
import { tempDir } from '../../test/support/server.js';
import { dropTestStore, testStoreEnv } from '../../test/support/stores.js';
import { contactSheetHtml } from './contact-sheet.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('contact sheet', () => {
  test('escapes record text and inlines every picture as a data URL', () => {
    const html = contactSheetHtml({
      instance: 'shop', queryName: 'q<1>.jpg', queryPng: Buffer.from('PNG'), region: { x1: 1, y1: 2, x2: 3, y2: 4 },
      categoryId: 88888888, docsFound: 7, createdAt: new Date(0),
      hits: [{ productId: '<script>x</script>', picName: 'a&b.jpg', categoryId: 1, score: 0.5, thumbnail: { bytes: Buffer.from('W'), contentType: 'image/webp' } }],
    });
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;'));
    assert.ok(html.includes('a&amp;b.jpg'));
    assert.ok(html.includes(`src="data:image/png;base64,${Buffer.from('PNG').toString('base64')}"`));
    assert.ok(html.includes(`src="data:image/webp;base64,${Buffer.from('W').toString('base64')}"`));
    assert.doesNotMatch(html, /(src|href)="https?:/);
  });

  describe('tusou search --html', () => {
    let dir: string;
    before(async () => {
      dir = await tempDir('tusou-cli-');
      const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent', ...testStoreEnv(dir) }), createLogger('silent'));
      try {
        await engine.createInstance({ name: 'cli' });
        for (let seed = 1; seed <= 4; seed++) await engine.addImage('cli', { productId: `p${seed}`, picName: `s${seed}.jpg`, bytes: await scene(seed) });
      } finally {
        await engine.close();
      }
      await writeFile(join(dir, 'query.png'), await scene(3, { width: 320, height: 240, format: 'png' }));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropTestStore(dir);
    });

    test('writes the query with its region drawn and the hits with keys, scores and thumbnails', async () => {
      const out = join(dir, 'sheet.html');
      const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dir, 'search', 'cli', join(dir, 'query.png'), '--region', '40,200,30,180', '--num', '3', '--html', out], {
        encoding: 'utf8', env: { ...process.env, TUSOU_LOG_LEVEL: 'silent', ...testStoreEnv(dir) },
      });
      assert.equal(run.status, 0, run.stderr);
      const html = await readFile(out, 'utf8');
      const cards = [...html.matchAll(/<li data-product-id="([^"]+)" data-pic-name="([^"]+)" data-score="([^"]+)">/g)];
      assert.equal(cards.length, 3);
      assert.equal(cards[0][1], 'p3');
      assert.ok(Number(cards[0][3]) >= Number(cards[1][3]));
      const images = [...html.matchAll(/src="data:(image\/[a-z]+);base64,([^"]+)"/g)];
      assert.equal(images.length, 4);
      assert.deepEqual(images.map((m) => m[1]), ['image/png', 'image/webp', 'image/webp', 'image/webp']);
      const { data, info } = await sharp(Buffer.from(images[0][2], 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [320, 240]);
      const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
      assert.deepEqual(at(41, 100), [...ANNOTATION_RGB.main], 'left edge of the searched region');
      assert.deepEqual(at(120, 178), [...ANNOTATION_RGB.main], 'bottom edge of the searched region');
    });
  });
});
