// Durability of the whole product: restarts keep everything, and a server killed with SIGKILL
// during a stream of adds loses no acknowledged image.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { scene } from '../support/images.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { tempDir } from '../support/server.js';

const dirs: string[] = [];
after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function post(url: string, path: string, json: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
}

async function addScene(url: string, seed: number): Promise<Response> {
  return post(url, '/api/v1/instances/d/images', { productId: `p${seed}`, picName: `${seed}.jpg`, picture: (await scene(seed)).toString('base64'), intAttr: seed });
}

async function topHit(url: string, seed: number): Promise<{ productId: string; score: number }> {
  const res = await post(url, '/api/v1/instances/d/search', { picture: (await scene(seed)).toString('base64'), num: 1 });
  return (await res.json()).hits[0];
}

function indexReports(p: ServerProcess) {
  return p.logs.filter((l) => l.msg === 'index ready');
}

describe('restart', () => {
  test('after a clean shutdown the index comes back from its snapshot with every image', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let p = await spawnServer(dir);
    assert.equal((await post(p.url, '/api/v1/instances', { name: 'd' })).status, 201);
    for (let i = 0; i < 12; i++) assert.equal((await addScene(p.url, i)).status, 201);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);

    p = await spawnServer(dir);
    const [report] = indexReports(p);
    assert.equal(report.source, 'snapshot');
    assert.equal(report.catchUp, 'replay', 'brought up to date from the change feed, not by a label scan');
    assert.equal(report.size, 12);
    for (const seed of [0, 5, 11]) assert.equal((await topHit(p.url, seed)).productId, `p${seed}`);
    p.child.kill('SIGTERM');
    await p.exited;
  });
});

describe('crash safety', () => {
  test('SIGKILL during a stream of adds loses no acknowledged image; the index agrees with the store', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    // A low snapshot interval makes snapshots happen during the stream, so the kill can hit one.
    let p = await spawnServer(dir, { TUSOU_SNAPSHOT_EVERY: '7' });
    assert.equal((await post(p.url, '/api/v1/instances', { name: 'd' })).status, 201);
    const acknowledged: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let seed = 1000;
    const killAfter = 25 + Math.floor(Math.random() * 15);
    // Keep 4 adds in flight so the kill lands while some are mid-request.
    while (acknowledged.length < killAfter) {
      const s = seed++;
      const req = addScene(p.url, s).then((res) => {
        if (res.status === 201) acknowledged.push(s);
      }).catch(() => undefined).finally(() => inFlight.delete(req));
      inFlight.add(req);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    p.child.kill('SIGKILL');
    assert.equal(await p.exited, 'SIGKILL');
    await Promise.allSettled(inFlight);

    p = await spawnServer(dir);
    try {
      const detail = await (await fetch(`${p.url}/api/v1/instances/d`)).json();
      assert.ok(detail.imageCount >= acknowledged.length, `${detail.imageCount} stored, ${acknowledged.length} acknowledged`);
      for (const s of acknowledged) {
        const res = await fetch(`${p.url}/api/v1/instances/d/images/p${s}/${s}.jpg`);
        assert.equal(res.status, 200, `acknowledged image p${s} is missing`);
        const original = await fetch(`${p.url}/api/v1/instances/d/images/p${s}/${s}.jpg/original`);
        assert.deepEqual(Buffer.from(await original.arrayBuffer()), await scene(s), `original of p${s} differs`);
      }
      for (const s of acknowledged.slice(-5)) assert.equal((await topHit(p.url, s)).productId, `p${s}`, `p${s} not searchable`);
      const [report] = indexReports(p);
      assert.equal(report.size, detail.imageCount, 'index and store hold the same images');
      const all = await (await post(p.url, '/api/v1/instances/d/search', { picture: (await scene(1000)).toString('base64'), num: 100 })).json();
      assert.equal(all.docsFound, detail.imageCount);
      assert.equal(new Set(all.hits.map((h: { productId: string }) => h.productId)).size, Math.min(100, detail.imageCount));
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
