import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { isTusouError, type ErrorCode } from '../../domain/index.js';
import { tempDir } from '../../../test/support/server.js';
import type { FormPart } from './multipart.js';
import { UPLOAD_KEY_ID, UploadStore, splitUploadHost } from './uploads.js';

const picture = Buffer.from('\x89PNG fake picture bytes');

function form(grant: ReturnType<UploadStore['authorize']>, over: Record<string, string> = {}, file: Buffer = picture): FormPart[] {
  const fields: Record<string, string> = { host: grant.endpoint, OSSAccessKeyId: grant.accessKeyId, policy: grant.encodedPolicy, Signature: grant.signature, key: grant.objectKey, ...over };
  return [
    ...Object.entries(fields).map(([name, v]) => ({ name, data: Buffer.from(v) })),
    { name: 'file', filename: grant.objectKey, data: file },
    { name: 'success_action_status', data: Buffer.from('201') },
  ];
}

const refused = (code: ErrorCode) => (e: unknown) => {
  assert.ok(isTusouError(e), String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

describe('splitting the upload host into Bucket and Endpoint', () => {
  test('IPv4 addresses, DNS names and localhost split so that Bucket.Endpoint is the host', () => {
    assert.deepEqual(splitUploadHost('127.0.0.1:8080'), { bucket: '127', endpoint: '0.0.1:8080' });
    assert.deepEqual(splitUploadHost('search.example.com'), { bucket: 'search', endpoint: 'example.com' });
    assert.deepEqual(splitUploadHost('LOCALHOST:9'), { bucket: '127', endpoint: '0.0.1:9' });
  });

  test('hosts without a dot cannot be split', () => {
    assert.throws(() => splitUploadHost('[::1]:8080'), refused('PARAM_INVALID'));
    assert.throws(() => splitUploadHost('myhost:8080'), refused('PARAM_INVALID'));
  });
});

describe('temporary uploads', () => {
  let root: string;
  let dir: string;
  let now = 1_000_000;
  let store: UploadStore;
  beforeEach(async () => {
    root = await tempDir();
    dir = join(root, 'uploads');
    now = 1_000_000;
    store = new UploadStore({ dir, secret: randomBytes(32), ttlS: 60, maxBytes: 1024, now: () => now, onError: (e) => { throw e; } });
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  test('authorize, upload, then the URL yields the bytes once and the file is gone', async () => {
    const grant = store.authorize('127.0.0.1:8080');
    assert.equal(grant.accessKeyId, UPLOAD_KEY_ID);
    const policy = JSON.parse(Buffer.from(grant.encodedPolicy, 'base64').toString()) as { conditions: unknown[] };
    assert.deepEqual(policy.conditions[0], ['content-length-range', 1, 1024]);
    const r = await store.receive(form(grant));
    assert.deepEqual(r, { bucket: '127', key: grant.objectKey, bytes: picture.length });
    assert.equal((await readdir(dir)).length, 1);
    const url = new URL(`http://${grant.bucket}.${grant.endpoint}/${grant.objectKey}`);
    assert.ok(store.isUploadUrl(url));
    assert.ok((await store.take(url)).equals(picture));
    assert.deepEqual(await readdir(dir), []);
    await assert.rejects(store.take(url), refused('IMAGE_URL_REJECTED'));
  });

  test('a forged signature, a foreign key id, another object key or an expired policy are refused', async () => {
    const grant = store.authorize('10.1.2.3:80');
    await assert.rejects(store.receive(form(grant, { Signature: 'AAAA' })), refused('AUTH_SIGNATURE_MISMATCH'));
    await assert.rejects(store.receive(form(grant, { OSSAccessKeyId: 'LTAIxxx' })), refused('UPLOAD_POLICY_INVALID'));
    await assert.rejects(store.receive(form(grant, { key: 'tusou-upload/00000000000000000000000000000000' })), refused('UPLOAD_POLICY_INVALID'));
    now += 61_000;
    await assert.rejects(store.receive(form(grant)), refused('UPLOAD_POLICY_INVALID'));
  });

  test('empty and oversize files are refused; a key uploads once', async () => {
    const grant = store.authorize('10.1.2.3:80');
    await assert.rejects(store.receive(form(grant, {}, Buffer.alloc(0))), refused('IMAGE_EMPTY'));
    await assert.rejects(store.receive(form(grant, {}, Buffer.alloc(1025))), refused('IMAGE_TOO_LARGE'));
    await store.receive(form(grant));
    await assert.rejects(store.receive(form(grant)), refused('UPLOAD_POLICY_INVALID'));
  });

  test('an upload is only served to the host it was issued for', async () => {
    const grant = store.authorize('10.1.2.3:80');
    await store.receive(form(grant));
    await assert.rejects(store.take(new URL(`http://10.9.9.9:80/${grant.objectKey}`)), refused('IMAGE_URL_REJECTED'));
  });

  test('unused uploads expire and their files are deleted', async () => {
    const grant = store.authorize('10.1.2.3:80');
    await store.receive(form(grant));
    now += 61_000;
    await store.sweep();
    assert.equal(store.size, 0);
    assert.deepEqual(await readdir(dir), []);
  });

  test('a configured upload host wins over the request host', async () => {
    const s = new UploadStore({ dir: join(dir, 'x'), secret: randomBytes(32), ttlS: 60, maxBytes: 10, uploadHost: 'img.example.org:443', now: () => now, onError: () => undefined });
    assert.deepEqual([s.authorize('127.0.0.1:1').bucket, s.authorize('127.0.0.1:1').endpoint], ['img', 'example.org:443']);
  });
});
