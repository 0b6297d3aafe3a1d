import dara from '@darabonba/typescript';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { isTusouError } from '../../domain/index.js';
import { boundaryOf, parseMultipart } from './multipart.js';

// The SDK package is CommonJS; its re-exported Form is only reachable through the default export.
const { FileField, Form } = dara;

// Bytes that end like a PNG (never with CRLF), with CRLFs and a fake delimiter prefix inside.
const picture = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.from('\r\n--not-the-boundary\r\n'), Buffer.from([1, 2, 3, 0xae, 0x42, 0x60, 0x82])]);

describe('lenient multipart parsing', () => {
  test('parses the body the official SDK writes for OSS PostObject (file part without its CRLF)', async () => {
    const boundary = Form.getBoundary();
    const form = {
      host: '0.0.1:8080', OSSAccessKeyId: 'ak', policy: 'cG9saWN5', Signature: 'sig', key: 'tusou-upload/x',
      file: new FileField({ filename: 'tusou-upload/x', content: Readable.from([picture]), contentType: '' }),
      success_action_status: '201',
    };
    const body = await buffer(Form.toFileForm(form, boundary));
    // The SDK's quirk this parser exists for (aliyun-imagesearch-api.md §7).
    assert.ok(body.includes(Buffer.concat([picture, Buffer.from(`--${boundary}`)])));
    const parts = parseMultipart(body, boundaryOf(`multipart/form-data; boundary=${boundary}`));
    assert.deepEqual(parts.map((p) => p.name), ['host', 'OSSAccessKeyId', 'policy', 'Signature', 'key', 'file', 'success_action_status']);
    const file = parts.find((p) => p.name === 'file');
    assert.equal(file?.filename, 'tusou-upload/x');
    assert.ok(file?.data.equals(picture));
    assert.equal(parts.at(-1)?.data.toString(), '201');
    assert.equal(parts[0].data.toString(), '0.0.1:8080');
  });

  test('parses a standard RFC 7578 body too', async () => {
    const fd = new FormData();
    fd.set('key', 'k1');
    fd.set('file', new Blob([new Uint8Array(picture)]), 'a.png');
    fd.set('after', 'tail');
    const res = new Response(fd);
    const body = Buffer.from(await res.arrayBuffer());
    const parts = parseMultipart(body, boundaryOf(res.headers.get('content-type') ?? ''));
    assert.deepEqual(parts.map((p) => [p.name, p.filename]), [['key', undefined], ['file', 'a.png'], ['after', undefined]]);
    assert.ok(parts[1].data.equals(picture));
    assert.equal(parts[2].data.toString(), 'tail');
  });

  test('malformed bodies are BODY_INVALID', () => {
    const bad = (fn: () => unknown) => assert.throws(fn, (e: unknown) => isTusouError(e, 'BODY_INVALID'));
    bad(() => boundaryOf('application/json'));
    bad(() => boundaryOf(undefined));
    bad(() => parseMultipart(Buffer.from('no delimiter here'), 'b'));
    bad(() => parseMultipart(Buffer.from('--b\r\nno header end--b--'), 'b'));
    bad(() => parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--'), 'b'));
  });

  test('quoted boundaries are understood', () => {
    assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b=c"'), 'a b=c');
  });
});
