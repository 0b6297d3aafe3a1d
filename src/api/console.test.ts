import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../../test/support/server.js';
import { consoleRoutes } from './console.js';

describe('console files', () => {
  let dir: string;
  let app: ReturnType<typeof consoleRoutes>;
  before(async () => {
    dir = await tempDir('tusou-console-');
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title><div id="app"></div>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = consoleRoutes(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('hashed assets are served with their content type and cached for good', async () => {
    const js = await app.request('/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
    const css = await app.request('/assets/index-abc123.css');
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    const svg = await app.request('/favicon.svg');
    assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.equal(svg.headers.get('cache-control'), 'no-cache');
  });

  test('the app page is revalidated on each load and carries a content security policy', async () => {
    const res = await app.request('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await res.text(), /<div id="app">/);
  });

  test('console paths fall back to the app page, including image pages whose PicName has an extension', async () => {
    for (const path of ['/instances/shop', '/instances/shop/search', '/instances/shop/images/p1/a.jpg', '/settings']) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /<div id="app">/, path);
    }
  });

  test('missing files, missing assets and API paths are not answered with the app page', async () => {
    for (const path of ['/assets/index-old.js', '/missing.png', '/api/v1/nope']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
    }
  });

  test('without a build, console paths answer 503 with a page saying how to build it', async () => {
    const bare = consoleRoutes(join(dir, 'not-built'));
    const res = await bare.request('/instances/shop');
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
    assert.equal((await bare.request('/api/v1/health')).status, 404);
  });
});
