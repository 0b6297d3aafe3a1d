import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { startTestServer, tempDir } from '../../test/support/server.js';
import { testSql } from '../../test/support/stores.js';

const b64 = (b: Buffer) => b.toString('base64');

describe('reindex', () => {
  test('switching descriptor and metric re-describes every image from its original', async () => {
    const s = await startTestServer();
    try {
      await s.api('/api/v1/instances', { method: 'POST', json: { name: 'r' } });
      for (let i = 0; i < 8; i++) await s.api('/api/v1/instances/r/images', { method: 'POST', json: { productId: `p${i}`, picName: 'a', picture: b64(await scene(40 + i)) } });
      const res = await s.api('/api/v1/instances/r/reindex', { method: 'POST', json: { descriptor: 'phash-64@1' } });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual([body.instance.descriptor, body.instance.metric, body.instance.index, body.instance.imageCount], ['phash-64@1', 'hamming', 'flat', 8]);
      assert.deepEqual(body.failed, []);
      const hits = (await (await s.api('/api/v1/instances/r/search', { method: 'POST', json: { picture: b64(await scene(45)), num: 3 } })).json()).hits;
      assert.equal(hits[0].productId, 'p5');
      assert.equal(hits[0].score, 1);
    } finally {
      await s.close();
    }
  });

  test('an instance whose descriptor version is gone moves to the successor at start', async () => {
    const dir = await tempDir();
    let s = await startTestServer({}, dir);
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'old', descriptor: 'colour-hist-rgb512@1' } });
    for (let i = 0; i < 5; i++) await s.api('/api/v1/instances/old/images', { method: 'POST', json: { productId: `p${i}`, picName: 'a', picture: b64(await scene(60 + i)) } });
    await s.close({ keepData: true });
    // Pretend these vectors came from a retired version of the descriptor.
    const db = await testSql(dir);
    await db.exec(`UPDATE instances SET descriptor = 'colour-hist-rgb512@0'; UPDATE vectors SET descriptor = 'colour-hist-rgb512@0'`);
    await db.close();
    s = await startTestServer({}, dir);
    try {
      const report = s.app.engine.startup.find((r) => r.instance === 'old');
      assert.match(report?.reason ?? '', /replaced by colour-hist-rgb512@1: 5 images re-described, 0 failed/);
      const detail = await (await s.api('/api/v1/instances/old')).json();
      assert.equal(detail.descriptor, 'colour-hist-rgb512@1');
      const hits = (await (await s.api('/api/v1/instances/old/search', { method: 'POST', json: { picture: b64(await scene(62)), num: 1 } })).json()).hits;
      assert.equal(hits[0].productId, 'p2');
    } finally {
      await s.close();
    }
  });

  test('an instance whose descriptor has no successor answers INSTANCE_REINDEX_REQUIRED until reindexed', async () => {
    const dir = await tempDir();
    let s = await startTestServer({}, dir);
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'gone' } });
    await s.api('/api/v1/instances/gone/images', { method: 'POST', json: { productId: 'p', picName: 'a', picture: b64(await scene(70)) } });
    await s.close({ keepData: true });
    const db = await testSql(dir);
    await db.exec(`UPDATE instances SET descriptor = 'retired-thing@3'`);
    await db.close();
    s = await startTestServer({}, dir);
    try {
      const res = await s.api('/api/v1/instances/gone/search', { method: 'POST', json: { picture: b64(await scene(70)) } });
      assert.equal((await res.json()).error.code, 'INSTANCE_REINDEX_REQUIRED');
      assert.equal((await s.api('/api/v1/instances/gone')).status, 200, 'it can still be described');
      const re = await s.api('/api/v1/instances/gone/reindex', { method: 'POST', json: { descriptor: 'dhash-64@1' } });
      assert.equal(re.status, 200, await re.clone().text());
      const hits = (await (await s.api('/api/v1/instances/gone/search', { method: 'POST', json: { picture: b64(await scene(70)) } })).json()).hits;
      assert.equal(hits[0].productId, 'p');
    } finally {
      await s.close();
    }
  });
});
