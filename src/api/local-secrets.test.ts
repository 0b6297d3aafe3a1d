import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/support/server.js';
import { certificateNames, loadOrCreateCertificate, loadOrCreateServerKey } from './local-secrets.js';

describe('secrets kept in the data directory', () => {
  test('the server key is 32 bytes, owner-only, and stable across restarts', async () => {
    const dir = await tempDir();
    try {
      const a = await loadOrCreateServerKey(join(dir, 'secrets'));
      const b = await loadOrCreateServerKey(join(dir, 'secrets'));
      assert.equal(a.length, 32);
      assert.ok(a.equals(b));
      assert.equal((await stat(join(dir, 'secrets', 'server.key'))).mode & 0o077, 0);
      assert.equal((await stat(join(dir, 'secrets'))).mode & 0o077, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the self-signed certificate covers every name, is reused, and is replaced when a name is added', async () => {
    const dir = await tempDir();
    try {
      const names = certificateNames('127.0.0.1', ['search.example.com']);
      assert.deepEqual(names.slice(0, 4), ['localhost', '127.0.0.1', '::1', 'search.example.com']);
      const first = await loadOrCreateCertificate(dir, names);
      const x = new X509Certificate(first.cert);
      assert.equal(x.ca, true);
      assert.ok(x.checkIP('127.0.0.1') && x.checkHost('search.example.com') && x.checkHost('localhost'));
      assert.equal((await stat(join(dir, 'key.pem'))).mode & 0o077, 0);
      const again = await loadOrCreateCertificate(dir, names);
      assert.equal(again.cert, first.cert);
      const more = await loadOrCreateCertificate(dir, [...names, '10.9.8.7']);
      assert.notEqual(more.cert, first.cert);
      assert.ok(new X509Certificate(more.cert).checkIP('10.9.8.7'));
      const expiring = await loadOrCreateCertificate(dir, [...names, '10.9.8.7'], Date.now() + 10 * 365 * 86_400_000);
      assert.notEqual(expiring.cert, more.cert);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a wildcard listening address covers every interface address', () => {
    const names = certificateNames('0.0.0.0', []);
    assert.ok(names.includes('127.0.0.1'));
    assert.ok(!names.includes('0.0.0.0'));
  });
});
