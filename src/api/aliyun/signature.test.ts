import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isTusouError, type ErrorCode } from '../../domain/index.js';
import {
  NonceCache, acs3CanonicalRequest, canonicalQuery, percentEncode, rpcStringToSign, verifyRequest,
  type KeyLookup, type SignedRequest, type VerifyOptions,
} from './signature.js';

const Client = sdk.default;
const AK = 'TSTESTKEY';
const SECRET = 'test-secret-1234';
const NOW = Date.parse('2026-01-02T03:04:05Z');

const keys: KeyLookup = async (id) => (id === AK ? { secret: SECRET, active: true } : id === 'REVOKED' ? { secret: 'x', active: false } : undefined);
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({ lookup: keys, nonces: new NonceCache(1000), windowS: 900, now: () => NOW, ...over });

function request(over: Partial<SignedRequest> & { headers?: Record<string, string> } = {}): SignedRequest {
  const headers = over.headers ?? {};
  return {
    method: 'POST', path: '/', query: [], form: [], body: Buffer.alloc(0),
    header: (n) => headers[n],
    ...over,
  };
}

/** Sign like the SDK does, from the documented recipe (aliyun-imagesearch-api.md §6.3), independently of the verifier. */
function acs3Headers(query: [string, string][], body: Buffer, extra: Record<string, string> = {}, secret = SECRET, date = '2026-01-02T03:04:05Z') {
  const headers: Record<string, string> = {
    host: '127.0.0.1:8080', 'x-acs-action': 'DumpMetaList', 'x-acs-version': '2020-12-14', 'x-acs-date': date,
    'x-acs-signature-nonce': `nonce-${Math.random()}`, 'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'), ...extra,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', canonicalQuery(query), names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), headers['x-acs-content-sha256']].join('\n');
  const sig = createHmac('sha256', secret).update(`ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`).digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${AK},SignedHeaders=${names.join(';')},Signature=${sig}`;
  return headers;
}

async function rejects(p: Promise<unknown>, code: ErrorCode) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTusouError(e), String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('percent-encoding and canonical query', () => {
  test('encodes like Alibaba: RFC 3986 plus !\'()*, space as %20, ~ kept', () => {
    assert.equal(percentEncode("a b*c!d'e(f)g~h+i/j=k&l"), 'a%20b%2Ac%21d%27e%28f%29g~h%2Bi%2Fj%3Dk%26l');
    assert.equal(percentEncode('红'), '%E7%BA%A2');
  });

  test('sorts by encoded key, then value, and keeps empty values as k=', () => {
    assert.equal(canonicalQuery([['b', '2'], ['a', ''], ['A', 'x'], ['b', '1']]), 'A=x&a=&b=1&b=2');
  });

  test('the DumpMetaList canonical request has the documented layout', () => {
    const headers: Record<string, string> = {
      host: '127.0.0.1:38115', 'x-acs-action': 'DumpMetaList', 'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-acs-credentials-provider': 'static_ak', 'x-acs-date': '2026-11-27T00:50:18Z', 'x-acs-signature-nonce': 'dcc93fda', 'x-acs-version': '2020-12-14',
    };
    const req = request({ query: [['PageSize', '10'], ['InstanceName', 'demo'], ['Id', '500'], ['PageNumber', '1']], header: (n) => headers[n] });
    const signed = Object.keys(headers).sort();
    assert.equal(acs3CanonicalRequest(req, signed, headers['x-acs-content-sha256']), [
      'POST', '/', 'Id=500&InstanceName=demo&PageNumber=1&PageSize=10',
      'host:127.0.0.1:38115', 'x-acs-action:DumpMetaList', 'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-acs-credentials-provider:static_ak', 'x-acs-date:2026-11-27T00:50:18Z', 'x-acs-signature-nonce:dcc93fda', 'x-acs-version:2020-12-14',
      '', signed.join(';'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n'));
  });

  test('the RPC string to sign covers query and form, minus Signature', () => {
    const req = request({ method: 'GET', query: [['Signature', 'zzz'], ['Action', 'Detail'], ['b', 'x y']], form: [['a', '1']] });
    assert.equal(rpcStringToSign(req), `GET&%2F&${percentEncode('Action=Detail&a=1&b=x%20y')}`);
  });
});

describe('ACS3-HMAC-SHA256 verification', () => {
  const query: [string, string][] = [['InstanceName', 'demo'], ['Filter', 'str_attr="a*b"']];
  const body = Buffer.from('PicName=a&ProductId=b');

  test('accepts a request signed by the documented recipe', async () => {
    const headers = acs3Headers(query, body);
    assert.deepEqual(await verifyRequest(request({ query, body, header: (n) => headers[n] }), options()), { accessKeyId: AK, scheme: 'ACS3-HMAC-SHA256' });
  });

  test('a changed body, query value, signed header or secret does not match', async () => {
    const headers = acs3Headers(query, body);
    await rejects(verifyRequest(request({ query, body: Buffer.from('PicName=b&ProductId=b'), header: (n) => headers[n] }), options()), 'AUTH_SIGNATURE_MISMATCH');
    await rejects(verifyRequest(request({ query: [['InstanceName', 'other'], query[1]], body, header: (n) => headers[n] }), options()), 'AUTH_SIGNATURE_MISMATCH');
    await rejects(verifyRequest(request({ query, body, header: (n) => (n === 'host' ? 'localhost:8080' : headers[n]) }), options()), 'AUTH_SIGNATURE_MISMATCH');
    const wrong = acs3Headers(query, body, {}, 'another-secret');
    await rejects(verifyRequest(request({ query, body, header: (n) => wrong[n] }), options()), 'AUTH_SIGNATURE_MISMATCH');
  });

  test('unknown and revoked keys are refused by name', async () => {
    const headers = acs3Headers(query, body);
    const unknown: Record<string, string> = { ...headers, authorization: headers.authorization.replace(AK, 'NOPE') };
    await rejects(verifyRequest(request({ query, body, header: (n) => unknown[n] }), options()), 'AUTH_KEY_NOT_FOUND');
    const revoked: Record<string, string> = { ...headers, authorization: headers.authorization.replace(AK, 'REVOKED') };
    await rejects(verifyRequest(request({ query, body, header: (n) => revoked[n] }), options()), 'AUTH_KEY_REVOKED');
  });

  test('a timestamp outside the window is expired; a malformed one is invalid', async () => {
    const old = acs3Headers(query, body, {}, SECRET, '2026-01-02T02:40:00Z');
    await rejects(verifyRequest(request({ query, body, header: (n) => old[n] }), options()), 'AUTH_TIMESTAMP_EXPIRED');
    assert.ok(await verifyRequest(request({ query, body, header: (n) => old[n] }), options({ windowS: 3600 })));
    const bad = acs3Headers(query, body, {}, SECRET, 'Fri, 02 Jan 2026 03:04:05 GMT');
    await rejects(verifyRequest(request({ query, body, header: (n) => bad[n] }), options()), 'AUTH_TIMESTAMP_INVALID');
  });

  test('the same nonce is refused the second time', async () => {
    const headers = acs3Headers(query, body);
    const opts = options();
    await verifyRequest(request({ query, body, header: (n) => headers[n] }), opts);
    await rejects(verifyRequest(request({ query, body, header: (n) => headers[n] }), opts), 'AUTH_NONCE_USED');
  });

  test('incomplete signatures name what is missing', async () => {
    const headers = acs3Headers(query, body);
    const noDate: Record<string, string> = { ...headers, authorization: headers.authorization.replace('x-acs-date;', '') };
    await rejects(verifyRequest(request({ query, body, header: (n) => noDate[n] }), options()), 'AUTH_SIGNATURE_INCOMPLETE');
    const sm3: Record<string, string> = { ...headers, authorization: headers.authorization.replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3') };
    await rejects(verifyRequest(request({ query, body, header: (n) => sm3[n] }), options()), 'AUTH_SIGNATURE_INCOMPLETE');
    await rejects(verifyRequest(request({ header: (n) => (n === 'x-acs-bearer-token' ? 't' : undefined) }), options()), 'AUTH_SIGNATURE_INCOMPLETE');
    await rejects(verifyRequest(request(), options()), 'AUTH_REQUIRED');
  });
});

describe('NonceCache', () => {
  test('forgets nonces once their request could no longer pass the time check', () => {
    const c = new NonceCache(10);
    assert.equal(c.use('a', 1000, 0), 'ok');
    assert.equal(c.use('a', 1000, 500), 'used');
    assert.equal(c.use('b', 3000, 1500), 'ok');
    assert.equal(c.size, 1);
    assert.equal(c.use('a', 2500, 1500), 'ok');
  });

  test('stays bounded, and refuses requests not newer than what it had to drop', () => {
    const c = new NonceCache(3);
    for (let i = 0; i < 5; i++) assert.equal(c.use(`n${i}`, 10_000 + i, 0), 'ok');
    assert.equal(c.size, 3);
    assert.equal(c.use('n0', 10_000, 0), 'too-old');
    assert.equal(c.use('late', 10_001, 0), 'too-old');
    assert.equal(c.use('new', 10_010, 0), 'ok');
  });
});

describe('the official SDK against the verifier', () => {
  const captured: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const opts = options({ now: Date.now });
  let server: http.Server;
  let port: number;

  const verify = (r: (typeof captured)[number]) => {
    const url = new URL(r.url, 'http://x');
    const form = /x-www-form-urlencoded/.test(r.headers['content-type'] ?? '') ? [...new URLSearchParams(r.body.toString())] : [];
    return verifyRequest({
      method: r.method, path: url.pathname, query: [...url.searchParams], form, body: r.body,
      header: (n) => { const v = r.headers[n]; return Array.isArray(v) ? v.join(', ') : v; },
    }, opts);
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        captured.push(rec);
        try {
          await verify(rec);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ RequestId: 'R', Success: true }));
        } catch (e) {
          const code = isTusouError(e) ? e.aliyun.code : 'InternalError';
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ RequestId: 'R', Code: code, Message: String(e) }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  const client = (extra: Record<string, unknown> = {}) => new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: `127.0.0.1:${port}`, protocol: 'http', ...extra }));

  test('both signature versions verify, with reserved and non-ASCII characters in query and body', async () => {
    const req = new M.UpdateImageRequest({ instanceName: 'demo', productId: 'p', picName: 'n', strAttr3: "红 a+b/c*d~'!(x)", strAttr4: 'd=e&f', customContent: 'x y*z' });
    await client().updateImage(req);
    await client({ signatureAlgorithm: 'v2' }).updateImage(req);
    await client({ signatureAlgorithm: 'v2' }).detail(new M.DetailRequest({ instanceName: 'demo' }));
    assert.equal(captured.length, 3);
  });

  test('a replayed request is refused (nonce), and so is a wrong secret', async () => {
    await assert.rejects(verify(captured[0]), (e: unknown) => isTusouError(e, 'AUTH_NONCE_USED'));
    await assert.rejects(verify(captured[1]), (e: unknown) => isTusouError(e, 'AUTH_NONCE_USED'));
    await assert.rejects(client({ accessKeySecret: 'wrong' }).detail(new M.DetailRequest({ instanceName: 'demo' })), (e: { code?: string }) => e.code === 'SignatureDoesNotMatch');
  });
});
