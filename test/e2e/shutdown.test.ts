// Start-up and shutdown of the real server process: /ready turns 200 only after the vision models
// loaded, and SIGTERM stops accepting connections, finishes the requests in flight (even one whose
// body is still arriving), flushes the index snapshots and exits 0.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { scene } from '../support/images.js';
import { spawnServer } from '../support/process.js';
import { tempDir } from '../support/server.js';

const dirs: string[] = [];
after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

/** Send the head of a POST and the first part of its JSON body; the rest comes with `finish`. */
async function slowPost(url: string, path: string, json: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  const body = Buffer.from(json);
  const cut = Math.floor(body.length / 2);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  socket.write(body.subarray(0, cut));
  let answer = '';
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (c: Buffer) => { answer += c.toString(); });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
  // Not end(): a client that half-closes its side gets no answer from Node's HTTP server.
  return { finish: () => socket.write(body.subarray(cut)), answered };
}

describe('start-up', () => {
  test('/ready is 503 until the vision workers loaded their models, then 200; /health answers all along', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const p = await spawnServer(dir, { TUSOU_DETECTOR: 'centernet', TUSOU_VISION_WORKERS: '1' });
    try {
      const first = await fetch(`${p.url}/api/v1/ready`);
      assert.equal(first.status, 503);
      assert.deepEqual(await first.json(), { status: 'starting', checks: { indexes: true, vision: false } });
      assert.equal((await fetch(`${p.url}/api/v1/health`)).status, 200);
      const deadline = Date.now() + 120_000;
      let status = 503;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await fetch(`${p.url}/api/v1/ready`)).status;
      }
      assert.equal(status, 200);
      assert.ok(p.logs.some((l) => l.msg === 'vision models loaded; ready'));
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});

describe('SIGTERM', () => {
  test('stops accepting, finishes requests in flight, snapshots the index and exits 0', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let p = await spawnServer(dir, { TUSOU_DETECTOR: 'saliency' });
    const post = (path: string, json: unknown) => fetch(p.url + path, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
    assert.equal((await post('/api/v1/instances', { name: 'd' })).status, 201);
    const body = async (seed: number) => JSON.stringify({ productId: `p${seed}`, picName: `${seed}.jpg`, picture: (await scene(seed)).toString('base64') });
    const slow = await slowPost(p.url, '/api/v1/instances/d/images', await body(1));
    // Give the server time to take the request (its headers and half its body are in).
    await new Promise((r) => setTimeout(r, 300));
    const url = p.url;
    const burst = await Promise.all([2, 3, 4, 5, 6, 7].map(body));
    // Requests the kernel has accepted but the server has not taken yet when SIGTERM arrives: the
    // server is paused while they connect, and gets SIGTERM before it resumes.
    p.child.kill('SIGSTOP');
    const concurrent = burst.map((b) => fetch(`${url}/api/v1/instances/d/images`, { method: 'POST', body: b, headers: { 'content-type': 'application/json' } }));
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill('SIGTERM');
    p.child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(fetch(`${url}/api/v1/health`), 'a new connection is refused once shutdown began');
    slow.finish();
    const answer = await slow.answered;
    assert.match(answer, /^HTTP\/1\.1 201/, `the request in flight was answered: ${answer.slice(0, 200)}`);
    assert.match(answer, /\r\nconnection: close\r\n/i, 'the answer says the connection closes');
    const statuses = await Promise.all(concurrent.map(async (r) => (await r).status));
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201]);
    assert.equal(await p.exited, 0);

    p = await spawnServer(dir, { TUSOU_DETECTOR: 'saliency' });
    try {
      const [report] = p.logs.filter((l) => l.msg === 'index ready');
      assert.equal(report.source, 'snapshot', 'the snapshot was flushed on shutdown');
      assert.equal(report.size, 7);
      assert.equal(report.added, 0, 'nothing had to be replayed from the store');
      const detail = (await (await fetch(`${p.url}/api/v1/instances/d`)).json()) as { imageCount: number };
      assert.equal(detail.imageCount, 7);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
