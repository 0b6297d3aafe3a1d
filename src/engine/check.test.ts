import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scene } from '../../test/support/images.js';
import { startTestServer } from '../../test/support/server.js';
import { testSql } from '../../test/support/stores.js';

test('check finds store/index/original disagreements and --repair fixes what it can', async () => {
  const s = await startTestServer();
  try {
    await s.api('/api/v1/instances', { method: 'POST', json: { name: 'c' } });
    for (let i = 0; i < 6; i++) await s.api('/api/v1/instances/c/images', { method: 'POST', json: { productId: `p${i}`, picName: 'a', picture: (await scene(80 + i)).toString('base64') } });
    const engine = s.app.engine;
    assert.equal((await engine.check({ repair: false })).ok, true);

    // Damage: a row removed behind the engine's back (extra in index), a vector lost, an original
    // lost, and an orphaned original.
    const db = await testSql(s.dataDir);
    await db.exec(`DELETE FROM images WHERE product_id = 'p0'`);
    await db.exec(`DELETE FROM vectors WHERE label = (SELECT label FROM images WHERE product_id = 'p1')`);
    const [{ sha256: sha }] = await db.query(`SELECT sha256 FROM images WHERE product_id = 'p2'`) as { sha256: string }[];
    await db.loseOriginal(sha);
    await db.close();
    const orphan = await s.app.blobs.put(Buffer.from('an original no image references'));

    const found = await engine.check({ repair: false });
    assert.equal(found.ok, false);
    const [c] = found.instances;
    assert.deepEqual([c.images, c.extraInIndex, c.withoutVector], [5, 1, 1]);
    assert.deepEqual(c.missingOriginals, [{ productId: 'p2', picName: 'a' }]);
    assert.equal(found.orphanedOriginals >= 1, true);

    const repaired = await engine.check({ repair: true });
    assert.equal(repaired.repaired, true);
    const after = await engine.check({ repair: false });
    assert.deepEqual([after.instances[0].extraInIndex, after.instances[0].withoutVector, after.orphanedOriginals], [0, 0, 0]);
    assert.equal(after.instances[0].missingOriginals.length, 1, 'a lost original is reported, never invented');
    assert.equal(await s.app.blobs.has(orphan), false, 'the orphaned original is gone');
    const hits = (await (await s.api('/api/v1/instances/c/search', { method: 'POST', json: { picture: (await scene(81)).toString('base64'), num: 1 } })).json()).hits;
    assert.equal(hits[0].productId, 'p1', 'the re-described image is searchable again');
  } finally {
    await s.close();
  }
});
