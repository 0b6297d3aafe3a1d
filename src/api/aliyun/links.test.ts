import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { isTusouError } from '../../domain/index.js';
import { LinkSigner } from './links.js';

describe('signed task file links', () => {
  test('a link verifies for its task and file until it expires (2 hours)', () => {
    let now = 1_700_000_000_000;
    const links = new LinkSigner(randomBytes(32), () => now);
    const url = new URL(links.url('http://h:1', 12, 'output'));
    assert.equal(url.pathname, '/aliyun/tasks/12/meta.ndjson');
    const [expires, sig] = [url.searchParams.get('Expires') ?? '', url.searchParams.get('Signature') ?? ''];
    assert.equal(Number(expires), now / 1000 + 7200);
    links.verify(12, 'meta.ndjson', expires, sig);
    assert.throws(() => links.verify(13, 'meta.ndjson', expires, sig), (e: unknown) => isTusouError(e, 'AUTH_SIGNATURE_MISMATCH'));
    assert.throws(() => links.verify(12, 'errors.ndjson', expires, sig), (e: unknown) => isTusouError(e, 'AUTH_SIGNATURE_MISMATCH'));
    assert.throws(() => links.verify(12, 'meta.ndjson', String(Number(expires) + 1), sig), (e: unknown) => isTusouError(e, 'AUTH_SIGNATURE_MISMATCH'));
    now += 7201_000;
    assert.throws(() => links.verify(12, 'meta.ndjson', expires, sig), (e: unknown) => isTusouError(e, 'AUTH_TIMESTAMP_EXPIRED'));
  });

  test('another server key does not accept the link', () => {
    const a = new LinkSigner(randomBytes(32), () => 0);
    const b = new LinkSigner(randomBytes(32), () => 0);
    const url = new URL(a.url('http://h', 1, 'errors'));
    assert.throws(() => b.verify(1, 'errors.ndjson', url.searchParams.get('Expires') ?? '', url.searchParams.get('Signature') ?? ''), (e: unknown) => isTusouError(e, 'AUTH_SIGNATURE_MISMATCH'));
  });
});
