// The web console in real headless Chromium against a real tusou server: create an instance,
// upload pictures, search by picture with regions drawn and picked, page, read the JSON, edit
// and delete an image, at desktop and phone width. Screenshots go to test-artifacts/console/.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Locator, Page, Response } from 'playwright-core';
import sharp from 'sharp';
import { ANNOTATION_RGB } from '../../src/imaging/index.js';
import { launchChromium, screenshot, type Browser } from '../support/browser.js';
import { scene } from '../support/images.js';
import { photo } from '../support/photos.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';

const CONSOLE_INDEX = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
const SHOTS = 'console';

interface Box { x1: number; y1: number; x2: number; y2: number }
interface SearchBody {
  docsFound: number;
  query: { region: Box; regions: { box: Box; label: string; score: number }[]; width: number; height: number };
  hits: { productId: string; picName: string; score: number }[];
}

const isSearch = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/instances/shop/search';

/** Run `act` and return the JSON of the search response it causes. */
async function searchAfter(page: Page, act: () => Promise<unknown>): Promise<SearchBody> {
  const [res] = await Promise.all([page.waitForResponse(isSearch), act()]);
  assert.equal(res.status(), 200, await res.text());
  const body = (await res.json()) as SearchBody;
  // Let the console render what it received.
  await page.waitForFunction((n) => document.querySelectorAll('.cards .card').length === n, body.hits.length);
  return body;
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1.5, `${what}: ${actual.toFixed(1)} px on screen, expected ${expected.toFixed(1)} px`);

/** The box element sits on the picture where `box` (picture pixels) lands at the displayed size. */
async function assertBoxAt(page: Page, el: Locator, box: Box, width: number, height: number) {
  const img = await page.locator('.region-canvas img').boundingBox();
  const r = await el.boundingBox();
  assert.ok(img && r, 'the picture and the box are displayed');
  const sx = img.width / width;
  const sy = img.height / height;
  close(r.x, img.x + box.x1 * sx, 'box left');
  close(r.y, img.y + box.y1 * sy, 'box top');
  close(r.width, (box.x2 - box.x1) * sx, 'box width');
  close(r.height, (box.y2 - box.y1) * sy, 'box height');
  // The label's tab sits on the box's top edge: just above it, or inside it at the picture's top.
  const tag = await el.locator('.tag').boundingBox();
  assert.ok(tag);
  const above = Math.abs(tag.y + tag.height - r.y) <= 1.5;
  const inside = Math.abs(tag.y - r.y) <= 1.5;
  assert.ok(above || inside, `tag at y=${tag.y}..${tag.y + tag.height}, box top ${r.y}`);
  close(tag.x, r.x, 'tag left');
}

/** Drag on the picture from one fraction of it to another. */
async function drawBox(page: Page, from: [number, number], to: [number, number]) {
  const img = await page.locator('.region-canvas img').boundingBox();
  assert.ok(img);
  await page.mouse.move(img.x + img.width * from[0], img.y + img.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(img.x + img.width * ((from[0] + to[0]) / 2), img.y + img.height * ((from[1] + to[1]) / 2), { steps: 4 });
  await page.mouse.move(img.x + img.width * to[0], img.y + img.height * to[1], { steps: 4 });
  await page.mouse.up();
}

const cardKeys = (page: Page) => page.locator('.cards .card').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.productId}/${(e as HTMLElement).dataset.picName}`));

/** Every form control and button on the page has an accessible name. */
async function assertLabelled(page: Page, where: string) {
  const unnamed = await page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]')) {
      if (el.closest('[hidden]') || (el as HTMLInputElement).type === 'hidden') continue;
      const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent?.trim() || el.querySelector('img[alt]:not([alt=""])');
      if (!labelled) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
  assert.deepEqual(unnamed, [], `${where}: controls without an accessible name`);
}

const noHorizontalScroll = async (page: Page, where: string) => {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${where}: the page is ${scroll} px wide in a ${client} px viewport`);
};

describe('web console in headless Chromium', { timeout: 300_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let files: string;
  const pageErrors: string[] = [];
  const N = 12;

  before(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: run `npm run build` (npm ci does it) before the e2e tests');
    browser = await launchChromium();
    page = browser.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Console errors other than the browser's note on a 4xx answer (which the tests provoke): CSP
    // violations, failed renders.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
    s = await startTestServer();
    files = await tempDir('tusou-console-files-');
    for (let seed = 1; seed <= N; seed++) await writeFile(join(files, `p${seed}.jpg`), await scene(seed));
    await writeFile(join(files, 'notes.jpg'), 'this is text, not a picture');
    // The query: scene 3 on the left half, scene 7 on the right half.
    const query = await sharp({ create: { width: 640, height: 240, channels: 3, background: '#ffffff' } })
      .composite([{ input: await scene(3, { format: 'png' }), left: 0, top: 0 }, { input: await scene(7, { format: 'png' }), left: 320, top: 0 }])
      .png().toBuffer();
    await writeFile(join(files, 'query.png'), query);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    if (files) await rm(files, { recursive: true, force: true });
  });

  test('the instances page creates an instance and shows why a second one with the same name fails', async () => {
    await page.goto(`${s.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();
    await screenshot(page, SHOTS, '01-instances-empty');
    await assertLabelled(page, 'instances page');
    await page.getByLabel('Name').fill('shop');
    await page.getByLabel('Service type').selectOption('generic');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.waitForURL(`${s.url}/instances/shop`);
    await page.getByRole('heading', { level: 1, name: 'shop' }).waitFor();
    assert.equal((await s.api('/api/v1/instances/shop')).status, 200);

    await page.goto(`${s.url}/`);
    await page.getByRole('link', { name: 'shop', exact: true }).waitFor();
    await page.getByLabel('Name').fill('shop');
    await page.getByRole('button', { name: 'Create instance' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /instance shop already exists/);
    assert.match(await alert.innerText(), /INSTANCE_EXISTS/);
    assert.equal(await page.getByLabel('Name').getAttribute('aria-invalid'), 'true');
    await screenshot(page, SHOTS, '02-instances-error');
  });

  test('adding pictures: one dropped, the rest chosen, shared attributes, and a clear error for a bad file', async () => {
    await page.goto(`${s.url}/instances/shop/add`);
    await page.getByRole('heading', { level: 1, name: 'Add images to shop' }).waitFor();
    // A real drop event carrying a File, as a drag from the desktop produces.
    const dropped = (await readFile(join(files, `p${N}.jpg`))).toString('base64');
    await page.locator('.drop-zone').evaluate((zone, b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'p12.jpg', { type: 'image/jpeg' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, dropped);
    await page.locator('tr[data-file="p12.jpg"]').waitFor();
    const chosen = [...Array.from({ length: N - 1 }, (_, i) => join(files, `p${i + 1}.jpg`)), join(files, 'notes.jpg')];
    await page.locator('#add-files').setInputFiles(chosen);
    assert.equal(await page.locator('tr[data-file]').count(), N + 1);
    assert.equal(await page.getByLabel('ProductId of picture 1 (p12.jpg)').inputValue(), 'p12');
    await page.getByLabel('IntAttr', { exact: true }).fill('7');
    await page.getByLabel('StrAttr', { exact: true }).fill('red');
    // Described whole, so searches for a whole scene find it with a score near 1 whatever the detector finds.
    await page.getByLabel('Detect the main subject and describe it (Crop)').uncheck();
    await assertLabelled(page, 'add page');
    await page.getByRole('button', { name: `Upload ${N + 1} pictures` }).click();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('tr[data-status]')].every((r) => r.dataset.status === 'added' || r.dataset.status === 'error'));
    assert.equal(await page.locator('tr[data-status="added"]').count(), N);
    const bad = page.locator('tr[data-file="notes.jpg"]');
    assert.equal(await bad.getAttribute('data-status'), 'error');
    assert.match(await bad.innerText(), /picture format unknown is not supported/);
    assert.match(await bad.innerText(), /IMAGE_FORMAT_UNSUPPORTED/);
    assert.match(await page.getByRole('status').first().innerText(), /13 pictures: 12 uploaded, 1 failed/);
    await screenshot(page, SHOTS, '03-add-images');
    await page.getByRole('button', { name: 'Remove notes.jpg' }).click();
    assert.equal(await page.locator('tr[data-file]').count(), N);

    const listed = await (await s.api('/api/v1/instances/shop/images?filter=int_attr=7%20AND%20str_attr="red"&num=100')).json();
    assert.equal(listed.docsFound, N);
  });

  test('upload progress is shown while a picture is being sent', async () => {
    // A noisy picture of about 1 MB, sent through Chromium's own upload throttling (~256 KB/s).
    const big = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    assert.ok(big.length > 600_000, `${big.length} bytes`);
    await writeFile(join(files, 'big.png'), big);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    try {
      await page.getByRole('button', { name: 'Clear list' }).click();
      await page.locator('#add-files').setInputFiles(join(files, 'big.png'));
      await page.getByRole('button', { name: 'Upload 1 picture' }).click();
      const bar = page.getByRole('progressbar', { name: 'Uploading big.png' });
      await bar.waitFor();
      await page.waitForFunction(() => {
        const p = document.querySelector<HTMLProgressElement>('tr[data-file="big.png"] progress');
        return Boolean(p && p.value > 0.05 && p.value < 0.95);
      });
      await screenshot(page, SHOTS, '03b-upload-progress');
      await page.locator('tr[data-file="big.png"][data-status="added"]').waitFor({ timeout: 30_000 });
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    assert.equal((await s.api('/api/v1/instances/shop/images/big/big.png', { method: 'DELETE' })).status, 200);
  });

  test('the instance page shows the count and the images as thumbnails', async () => {
    await page.goto(`${s.url}/instances/shop`);
    await page.getByTestId('image-count').waitFor();
    assert.equal(await page.getByTestId('image-count').innerText(), String(N));
    await page.waitForFunction((n) => [...document.querySelectorAll<HTMLImageElement>('.cards img')].filter((i) => i.complete && i.naturalWidth > 0).length === n, N);
    await screenshot(page, SHOTS, '04-instance');
    await assertLabelled(page, 'instance page');
  });

  test('search by picture draws the searched region where the API says it is', async () => {
    await page.goto(`${s.url}/instances/shop/search`);
    const body = await searchAfter(page, () => page.locator('#search-file').setInputFiles(join(files, 'query.png')));
    assert.deepEqual([body.query.width, body.query.height], [640, 240]);
    await assertBoxAt(page, page.locator('.box.active'), body.query.region, 640, 240);
    // Detected regions (when the server detects any) are each drawn with their label and score.
    const detected = page.locator('.box.detected');
    assert.equal(await detected.count(), body.query.regions.length);
    for (let i = 0; i < body.query.regions.length; i++) {
      const r = body.query.regions[i];
      const el = page.locator(`.box.detected[data-box="${r.box.x1},${r.box.y1},${r.box.x2},${r.box.y2}"]`).first();
      await assertBoxAt(page, el, r.box, 640, 240);
      assert.equal(await el.locator('.tag').innerText(), `${r.label} ${Math.round(r.score * 100)}%`);
    }
    assert.equal(await page.locator('.cards .card').count(), Math.min(10, N));
    await screenshot(page, SHOTS, '05-search');
  });

  test('drawing a box searches that region, another box gives other results, and clicking the first box goes back', async () => {
    const left = await searchAfter(page, () => drawBox(page, [0.03, 0.05], [0.47, 0.95]));
    const r1 = left.query.region;
    assert.ok(r1.x1 >= 15 && r1.x2 <= 305 && r1.y1 >= 8 && r1.y2 <= 232, `left box ${JSON.stringify(r1)}`);
    assert.equal(left.hits[0].productId, 'p3');
    await assertBoxAt(page, page.locator('.box.active'), r1, 640, 240);
    assert.equal(await page.locator('.box.active .tag').innerText(), 'box 1');
    assert.equal(await page.locator('.cards .card').first().getAttribute('data-product-id'), 'p3');

    const right = await searchAfter(page, () => drawBox(page, [0.53, 0.05], [0.97, 0.95]));
    assert.ok(right.query.region.x1 >= 335, `right box ${JSON.stringify(right.query.region)}`);
    assert.equal(right.hits[0].productId, 'p7');
    assert.notDeepEqual(right.hits.map((h) => h.productId), left.hits.map((h) => h.productId));
    await assertBoxAt(page, page.locator('.box.active'), right.query.region, 640, 240);
    await assertBoxAt(page, page.locator('.box.custom:not(.active)'), r1, 640, 240);
    await screenshot(page, SHOTS, '06-search-drawn-regions');

    const back = await searchAfter(page, () => page.getByRole('button', { name: /^box 1, .*search this region/ }).click());
    assert.deepEqual(back.query.region, r1);
    assert.equal(back.hits[0].productId, 'p3');
  });

  test('a region typed by numbers is searched exactly, and the scene in it is found first with a score near 1', async () => {
    await page.getByText('Enter a region by numbers').click();
    for (const [label, v] of [['x1 (left)', '320'], ['y1 (top)', '0'], ['x2 (right)', '640'], ['y2 (bottom)', '240']]) await page.getByLabel(label).fill(v);
    const body = await searchAfter(page, () => page.getByRole('button', { name: 'Search this region', exact: true }).click());
    assert.deepEqual(body.query.region, { x1: 320, y1: 0, x2: 640, y2: 240 });
    assert.equal(body.hits[0].productId, 'p7');
    assert.ok(body.hits[0].score > 0.95, `score ${body.hits[0].score}`);
    await assertBoxAt(page, page.locator('.box.active'), body.query.region, 640, 240);
  });

  test('keyboard: a region tab is a button reached with Tab and pressed with Enter', async () => {
    await page.locator('#search-file').focus();
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => Boolean(document.activeElement?.matches('.box:not(.active) .tag')));
    }
    assert.ok(found, 'Tab reaches the tab of a region that is not searched');
    const label = await page.evaluate(() => document.activeElement!.textContent);
    const body = await searchAfter(page, () => page.keyboard.press('Enter'));
    assert.equal(await page.locator('.box.active .tag').innerText(), label);
    assert.ok(body.hits.length > 0);
    await assertLabelled(page, 'search page');
  });

  test('paging through results with Num and Start', async () => {
    await page.getByLabel('Results per page (Num)').selectOption('5');
    const first = await searchAfter(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    assert.equal(first.hits.length, 5);
    const status = page.locator('.paging-status');
    assert.equal(await status.innerText(), `1–5 of ${N}`);
    const keys1 = await cardKeys(page);
    const second = await searchAfter(page, () => page.getByRole('button', { name: 'Next →' }).click());
    assert.equal(await status.innerText(), `6–10 of ${N}`);
    const keys2 = await cardKeys(page);
    assert.equal(keys2.length, 5);
    assert.deepEqual(keys1.filter((k) => keys2.includes(k)), []);
    assert.ok(second.hits[0].score <= first.hits[4].score);
    await searchAfter(page, () => page.getByRole('button', { name: 'Next →' }).click());
    assert.equal(await status.innerText(), `11–12 of ${N}`);
    assert.ok(await page.getByRole('button', { name: 'Next →' }).isDisabled());
    await screenshot(page, SHOTS, '07-search-page-3');
    await searchAfter(page, () => page.getByRole('button', { name: '← Previous' }).click());
    assert.deepEqual(await cardKeys(page), keys2);
  });

  test('the JSON tab shows the raw response, alone or next to the gallery', async () => {
    const body = await searchAfter(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    await page.getByRole('tab', { name: 'JSON' }).click();
    assert.equal(await page.locator('.cards').count(), 0);
    const shown = JSON.parse(await page.locator('.json-view pre').innerText());
    assert.deepEqual(shown, body);
    await screenshot(page, SHOTS, '08-search-json');
    await page.getByRole('tab', { name: 'Side by side' }).click();
    assert.equal(await page.locator('.cards .card').count(), body.hits.length);
    assert.equal(await page.locator('.json-view pre').count(), 1);
    await screenshot(page, SHOTS, '09-search-side-by-side');
    await page.getByRole('tab', { name: 'Visual' }).click();
  });

  test('the server-drawn PNG of the query has the searched region on it', async () => {
    const region = { ...(await searchAfter(page, () => page.getByRole('button', { name: 'Search', exact: true }).click())).query.region };
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Server-drawn PNG' }).click()]);
    const png = await readFile((await download.path())!);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [640, 240]);
    const y = Math.round((region.y1 + region.y2) / 2);
    const i = (y * info.width + region.x1 + 1) * 3;
    assert.deepEqual([data[i], data[i + 1], data[i + 2]], [...ANNOTATION_RGB.main]);
  });

  test('a pasted picture is searched', async () => {
    await page.goto(`${s.url}/instances/shop/search`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByLabel('Detect the subject (otherwise the whole picture)').uncheck();
    const b64 = (await readFile(join(files, 'p5.jpg'))).toString('base64');
    const body = await searchAfter(page, () => page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'pasted.jpg', { type: 'image/jpeg' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, b64));
    assert.equal(body.hits[0].productId, 'p5');
    assert.ok(body.hits[0].score > 0.99, `score ${body.hits[0].score}`);
  });

  test('image detail: the stored region on the picture, editing attributes, an error, and deleting', async () => {
    await page.locator('.cards .card-link').first().click();
    await page.waitForURL(/\/instances\/shop\/images\/p5\/p5\.jpg$/);
    await page.getByRole('heading', { level: 1, name: 'p5 / p5.jpg' }).waitFor();
    const record = await (await s.api('/api/v1/instances/shop/images/p5/p5.jpg')).json();
    await page.locator('.box.active').waitFor();
    await assertBoxAt(page, page.locator('.box.active'), record.region, record.width, record.height);
    assert.equal(await page.getByLabel('StrAttr', { exact: true }).inputValue(), 'red');

    await page.getByLabel('StrAttr', { exact: true }).fill('blue');
    await page.getByLabel('CustomContent').fill('edited in the console');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved 2 fields.').waitFor();
    const saved = await (await s.api('/api/v1/instances/shop/images/p5/p5.jpg')).json();
    assert.deepEqual([saved.strAttr, saved.customContent, saved.intAttr], ['blue', 'edited in the console', 7]);
    await page.locator('.custom-content').getByText('edited in the console').waitFor();

    await page.getByLabel('IntAttr', { exact: true }).fill('99999999999');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /IntAttr must be a 32-bit integer/);
    assert.match(await alert.innerText(), /ATTR_INT_INVALID/);
    assert.equal(await page.getByLabel('IntAttr', { exact: true }).getAttribute('aria-invalid'), 'true');
    await assertLabelled(page, 'image page');
    await screenshot(page, SHOTS, '10-image-detail-error');
    await page.getByRole('button', { name: 'Undo changes' }).click();
    assert.equal(await page.getByLabel('IntAttr', { exact: true }).inputValue(), '7');

    await page.getByRole('tab', { name: 'JSON' }).click();
    assert.equal(JSON.parse(await page.locator('.json-view pre').innerText()).customContent, 'edited in the console');
    await page.getByRole('tab', { name: 'Visual' }).click();

    await page.getByRole('button', { name: 'Delete image…' }).click();
    await page.getByRole('button', { name: 'Delete image', exact: true }).click();
    await page.waitForURL(`${s.url}/instances/shop`);
    assert.equal((await s.api('/api/v1/instances/shop/images/p5/p5.jpg')).status, 404);
    await page.getByTestId('image-count').getByText(String(N - 1)).waitFor();
  });

  test('every screen fits a phone (390 px) without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [name, path] of [['instances', '/'], ['instance', '/instances/shop'], ['add', '/instances/shop/add'], ['image', '/instances/shop/images/p3/p3.jpg']]) {
        await page.goto(s.url + path);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await noHorizontalScroll(page, name);
        await screenshot(page, SHOTS, `11-phone-${name}`);
      }
      await page.goto(`${s.url}/instances/shop/search`);
      const body = await searchAfter(page, () => page.locator('#search-file').setInputFiles(join(files, 'query.png')));
      await assertBoxAt(page, page.locator('.box.active'), body.query.region, 640, 240);
      await noHorizontalScroll(page, 'search');
      await screenshot(page, SHOTS, '11-phone-search');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test('a hit verified by local features shows where it matched: the box and the keypoints on its picture, and the inlier count', async () => {
    const created = await s.api('/api/v1/instances', { method: 'POST', json: { name: 'verified', reranker: 'orb-ransac-top8@1' } });
    assert.equal(created.status, 201, await created.clone().text());
    const party = await photo('party');
    for (const [productId, bytes] of [['party', party], ['dinner', await photo('dinner')], ['portrait', await photo('portrait')]] as const) {
      const res = await s.api('/api/v1/instances/verified/images', { method: 'POST', json: { productId, picName: 'a.jpg', picture: bytes.toString('base64'), crop: false } });
      assert.equal(res.status, 201, await res.clone().text());
    }
    // The query: the photo's top-left 45 %, recompressed.
    const m = await sharp(party).metadata();
    const corner = await sharp(party).extract({ left: 0, top: 0, width: Math.round(m.width! * 0.45), height: Math.round(m.height! * 0.45) }).jpeg({ quality: 80 }).toBuffer();
    await writeFile(join(files, 'corner.jpg'), corner);
    await page.goto(`${s.url}/instances/verified/search`);
    await page.locator('#search-crop').uncheck();
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/instances/verified/search'),
      page.locator('#search-file').setInputFiles(join(files, 'corner.jpg')),
    ]);
    const body = await res.json() as { hits: { productId: string; width: number; height: number; match?: { inliers: number; box: Box; points: { x: number; y: number }[] } }[] };
    const top = body.hits[0];
    assert.equal(top.productId, 'party');
    assert.ok(top.match && top.match.inliers >= 12, JSON.stringify(top.match));
    const card = page.locator('.cards .card').first();
    await card.locator('.match-overlay rect').waitFor();
    assert.equal(await card.getAttribute('data-product-id'), 'party');
    // The picture is fitted (contain, centred) into the card's stage, and so is the overlay: the
    // API's box lands on the picture where it says, at the displayed size.
    const stage = await card.locator('.stage img').boundingBox();
    const svg = await card.locator('.match-overlay').boundingBox();
    const rect = await card.locator('.match-overlay rect').boundingBox();
    assert.ok(stage && svg && rect);
    close(svg.x, stage.x, 'overlay left');
    close(svg.width, stage.width, 'overlay width');
    const scale = Math.min(stage.width / top.width, stage.height / top.height);
    const left = stage.x + (stage.width - top.width * scale) / 2;
    const topEdge = stage.y + (stage.height - top.height * scale) / 2;
    // (The rect's screen box includes its stroke, a few pixels: compare centres, and sizes up to it.)
    const b = top.match.box;
    close(rect.x + rect.width / 2, left + ((b.x1 + b.x2) / 2) * scale, 'match box centre x');
    close(rect.y + rect.height / 2, topEdge + ((b.y1 + b.y2) / 2) * scale, 'match box centre y');
    for (const [shown, expected, what] of [[rect.width, (b.x2 - b.x1) * scale, 'width'], [rect.height, (b.y2 - b.y1) * scale, 'height']] as const) {
      assert.ok(shown >= expected - 1.5 && shown <= expected + 8, `match box ${what}: ${shown.toFixed(1)} px on screen, expected ${expected.toFixed(1)} px plus the stroke`);
    }
    assert.equal(await card.locator('.match-overlay circle').count(), top.match.points.length);
    await card.getByText(`Inliers ${top.match.inliers}`).waitFor();
    await screenshot(page, SHOTS, '12-search-verified-match');
    assert.equal((await s.api('/api/v1/instances/verified', { method: 'DELETE' })).status, 204);
  });

  test('deleting the instance from its page', async () => {
    await page.goto(`${s.url}/instances/shop`);
    await page.getByRole('button', { name: 'Delete instance…' }).click();
    await page.getByRole('button', { name: 'Delete instance', exact: true }).click();
    await page.waitForURL(`${s.url}/`);
    await page.getByText('No instances yet').waitFor();
    assert.equal((await s.api('/api/v1/instances/shop')).status, 404);
  });

  test('no script errors or content-security-policy violations happened in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});

describe('web console against a server that requires an access key', { timeout: 120_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  const key = { id: 'console-test', secret: 's3cret-console-key' };
  const auth = { authorization: `Bearer ${key.id}:${key.secret}` };

  before(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: run `npm run build` (npm ci does it) before the e2e tests');
    browser = await launchChromium();
    s = await startTestServer({ TUSOU_ACCESS_KEY_ID: key.id, TUSOU_ACCESS_KEY_SECRET: key.secret });
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'locked' }, headers: auth });
    const picture = (await scene(9)).toString('base64');
    await s.api('/api/v1/instances/locked/images', { method: 'POST', json: { productId: 'k1', picName: 'k1.jpg', picture }, headers: auth });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('shows a login screen; a wrong secret is refused there; with the key it lists instances and shows pictures fetched with it', async () => {
    const { page } = browser;
    await page.goto(`${s.url}/`);
    await page.getByRole('heading', { name: /tusou/ }).waitFor();
    assert.equal(await page.title(), 'Sign in · tusou');
    await screenshot(page, SHOTS, '11-login');
    await page.getByLabel('Access key ID').fill(key.id);
    await page.getByLabel('Access key secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /AUTH_KEY_INVALID/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tusou.accessKey')), null, 'a refused key is not kept');
    await page.getByLabel('Access key secret').fill(key.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('key-id').getByText(key.id).waitFor();
    await page.getByRole('link', { name: 'locked', exact: true }).click();
    await page.getByTestId('image-count').getByText('1').waitFor();
    // Pictures cannot carry the header as plain URLs; the console fetches them and shows blob URLs.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.cards img')].some((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0));
    await screenshot(page, SHOTS, '12-access-key');
    // The key lives in this tab only; a reload keeps it, signing out forgets it.
    await page.reload();
    await page.getByTestId('key-id').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key ID').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tusou.accessKey')), null);
  });

  test('a read-only key sees the instances but its writes are refused with AUTH_FORBIDDEN', async () => {
    const { page } = browser;
    const reader = await s.app.engine.createAccessKey({ readOnly: true });
    await page.goto(`${s.url}/`);
    await page.getByLabel('Access key ID').fill(reader.id);
    await page.getByLabel('Access key secret').fill(reader.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('read-only').first().waitFor();
    await page.getByLabel('Name').fill('sneaky');
    await page.getByRole('button', { name: /Create/ }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /AUTH_FORBIDDEN/);
    assert.equal((await s.app.engine.listInstances()).some((i) => i.name === 'sneaky'), false);
  });
});

