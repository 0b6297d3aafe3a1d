import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isTusouError, type ErrorCode } from '../../domain/index.js';
import { fetchRemotePicture, isPrivateAddress } from './remote-picture.js';

const refused = (code: ErrorCode) => (e: unknown) => {
  assert.ok(isTusouError(e), String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

describe('private address detection', () => {
  test('loopback, private, link-local, CGNAT and mapped addresses are private; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.5', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '47.95.1.2', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });
});

describe('fetching a picture URL', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') return res.end(Buffer.from('picture'));
      if (req.url === '/big') return res.end(Buffer.alloc(2000));
      if (req.url === '/redirect') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  const allowed = { timeoutMs: 1000, maxBytes: 1000, allowPrivate: true };

  test('downloads a picture and follows a redirect', async () => {
    assert.equal((await fetchRemotePicture(`${base}/ok`, allowed)).toString(), 'picture');
    assert.equal((await fetchRemotePicture(`${base}/redirect`, allowed)).toString(), 'picture');
  });

  test('loopback addresses are refused unless private addresses are allowed', async () => {
    await assert.rejects(fetchRemotePicture(`${base}/ok`, { ...allowed, allowPrivate: false }), refused('IMAGE_URL_REJECTED'));
    await assert.rejects(fetchRemotePicture(`http://localhost:${new URL(base).port}/ok`, { ...allowed, allowPrivate: false }), refused('IMAGE_URL_REJECTED'));
  });

  test('size cap, timeout, redirect loops, HTTP errors and other schemes', async () => {
    await assert.rejects(fetchRemotePicture(`${base}/big`, allowed), refused('IMAGE_TOO_LARGE'));
    await assert.rejects(fetchRemotePicture(`${base}/slow`, { ...allowed, timeoutMs: 200 }), refused('IMAGE_URL_TIMEOUT'));
    await assert.rejects(fetchRemotePicture(`${base}/loop`, allowed), refused('IMAGE_URL_REJECTED'));
    await assert.rejects(fetchRemotePicture(`${base}/missing`, allowed), refused('IMAGE_URL_REJECTED'));
    await assert.rejects(fetchRemotePicture('ftp://example.com/a.jpg', allowed), refused('IMAGE_URL_REJECTED'));
  });
});
