// Re-ranking through the engine: an instance with a reranker stores local features on add and
// moves a partial view of a real photo to the top when the global descriptor ranks it lower.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { scene } from '../../test/support/images.js';
import { photo } from '../../test/support/photos.js';
import { openSqliteEngine } from '../../test/support/engine.js';
import { tempDir } from '../../test/support/server.js';
import type { Engine } from './index.js';

/** The picture cut into a 4×4 grid of tiles in a shuffled order and blurred: same colours, no shared geometry. */
async function shuffledTiles(bytes: Buffer, seed: number): Promise<Buffer> {
  const { data, info } = await sharp(bytes).resize(256, 256, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const out = Buffer.alloc(data.length);
  const order = Array.from({ length: 16 }, (_, i) => i).sort((a, b) => ((a * 7 + seed) % 16) - ((b * 7 + seed) % 16)).reverse();
  const t = 64;
  order.forEach((src, dst) => {
    for (let y = 0; y < t; y++) {
      const from = ((Math.floor(src / 4) * t + y) * 256 + (src % 4) * t) * 3;
      const to = ((Math.floor(dst / 4) * t + y) * 256 + (dst % 4) * t) * 3;
      data.copy(out, to, from, from + t * 3);
    }
  });
  return sharp(out, { raw: { width: 256, height: 256, channels: info.channels } }).blur(4).jpeg({ quality: 80 }).toBuffer();
}

describe('engine re-ranking with local features', () => {
  let dir: string;
  let engine: Engine;
  let query: Buffer;

  before(async () => {
    dir = await tempDir();
    engine = await openSqliteEngine(dir);
    const party = await photo('party');
    const m = await sharp(party).metadata();
    // The query: the photo's top-left 40 %, rotated 8 degrees, recompressed.
    const corner = await sharp(party).extract({ left: 0, top: 0, width: Math.round(m.width! * 0.4), height: Math.round(m.height! * 0.4) }).toBuffer();
    query = await sharp(corner).rotate(8, { background: '#000' }).jpeg({ quality: 70 }).toBuffer();
    const database: [string, Buffer][] = [
      ['party', party],
      // Distractors with the query's colours but none of its geometry: the colour histogram
      // ranks them above the whole photo, whose other 84 % has other colours.
      ['tiles1', await shuffledTiles(corner, 1)],
      ['tiles2', await shuffledTiles(corner, 5)],
      ['dinner', await photo('dinner')],
      ['portrait', await photo('portrait')],
      ['shapes', await scene(21, { width: 400, height: 300 })],
    ];
    for (const name of ['plain', 'verified']) {
      await engine.createInstance({ name, descriptor: 'colour-hist-rgb512@1', ...(name === 'verified' ? { reranker: 'orb-ransac@1' } : {}) });
      for (const [productId, bytes] of database) await engine.addImage(name, { productId, picName: 'p', bytes, crop: false });
    }
  });

  after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the instance records its reranker', async () => {
    assert.equal((await engine.getInstance('verified')).reranker, 'orb-ransac@1');
    assert.equal((await engine.getInstance('plain')).reranker, undefined);
  });

  it('without a reranker the global descriptor ranks a look-alike above the photo the query was cut from', async () => {
    const r = await engine.searchByPicture('plain', { bytes: query, crop: false, num: 6 });
    assert.notEqual(r.hits[0].image.productId, 'party');
  });

  it('with a reranker the partial view\'s source comes first, with a score above every other hit', async () => {
    const r = await engine.searchByPicture('verified', { bytes: query, crop: false, num: 6 });
    assert.equal(r.hits[0].image.productId, 'party');
    assert.ok(r.hits[0].score > r.hits[1].score, `${r.hits[0].score} vs ${r.hits[1].score}`);
    assert.equal(r.hits.length, 6);
    for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i].score <= r.hits[i - 1].score, 'scores decrease down the list');
  });

  it('a verified hit says where it matched: inlier keypoints and their box inside the corner the query was cut from', async () => {
    const r = await engine.searchByPicture('verified', { bytes: query, crop: false, num: 6 });
    const { image, match } = r.hits[0];
    assert.ok(match, 'the source carries its match evidence');
    assert.ok(match.inliers >= 12, `inliers ${match.inliers}`);
    assert.equal(match.points.length, Math.min(64, match.inliers));
    // The query is the top-left 40 % (rotated 8°): every inlier, hence the box, lies in the top-left half.
    const { width, height } = image;
    assert.ok(match.box.x1 >= 0 && match.box.y1 >= 0 && match.box.x2 <= 0.5 * width && match.box.y2 <= 0.5 * height, `box ${JSON.stringify(match.box)} of ${width}x${height}`);
    for (const p of match.points) assert.ok(p.x >= match.box.x1 && p.x <= match.box.x2 && p.y >= match.box.y1 && p.y <= match.box.y2);
    assert.ok((match.box.x2 - match.box.x1) * (match.box.y2 - match.box.y1) > 0.02 * width * height, 'the box covers a real part of the corner');
    // Unverified hits carry none; an instance without a reranker never does.
    assert.ok(r.hits.slice(1).every((h) => h.match === undefined || h.match.inliers >= 12));
    assert.ok((await engine.searchByPicture('plain', { bytes: query, crop: false, num: 6 })).hits.every((h) => h.match === undefined));
  });

  it('a score threshold between the verified and the unverified keeps only the source', async () => {
    const plain = await engine.searchByPicture('plain', { bytes: query, crop: false, num: 6 });
    const threshold = (Math.ceil(Math.max(...plain.hits.map((h) => h.score)) * 100) / 100).toFixed(2);
    const r = await engine.searchByPicture('verified', { bytes: query, crop: false, num: 6, scoreThreshold: threshold });
    assert.deepEqual(r.hits.map((h) => h.image.productId), ['party']);
    assert.equal(r.docsFound, 1);
  });

  it('search by an indexed image uses its stored local features', async () => {
    const r = await engine.searchByImage('verified', { productId: 'party', picName: 'p' }, { num: 2 });
    assert.equal(r.hits[0].image.productId, 'party');
    assert.ok(r.hits[0].score > 0.99);
  });
});
