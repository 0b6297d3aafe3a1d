// Hostile and broken input against the real server process, over both APIs: every case gets its
// own catalogue code and a message, nothing is stored that should not be, the server keeps
// serving, and its memory stays bounded (bombs are refused from their headers, never decoded).

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brokenPictures, gifAnimationBomb } from '../support/hostile.js';
import { scene } from '../support/images.js';
import { runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { tempDir } from '../support/server.js';

const Client = sdk.default;
type SdkClient = InstanceType<typeof Client>;
const AK = 'TSHOSTILEBOOT';
const SECRET = 'hostile-input-bootstrap-secret-0';
const AUTH = { authorization: `Bearer ${AK}:${SECRET}` };
const b64 = (b: Buffer) => b.toString('base64');

/** Resident memory of a process in MiB (from /proc). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

interface RestError { status: number; code: string; message: string }

async function restError(res: Response): Promise<RestError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    return { status: res.status, code: body.error.code, message: body.error.message };
  } catch {
    return { status: res.status, code: `(not JSON: ${text.slice(0, 80)})`, message: '' };
  }
}

async function sdkError(p: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; statusCode: number; message: string };
  }
  throw new assert.AssertionError({ message: 'the SDK call succeeded' });
}

describe('hostile and broken input', { timeout: 300_000 }, () => {
  let root: string;
  let bucket: string;
  let outside: string;
  let p: ServerProcess;
  let client: SdkClient;
  let baselineMiB = 0;
  let fetched = 0;
  let files: http.Server;
  let filesUrl = '';
  const rest = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    const headers = { ...AUTH, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers as Record<string, string> | undefined) };
    return fetch(p.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };
  const count = async () => ((await (await rest('/api/v1/instances/h')).json()) as { imageCount: number }).imageCount;

  before(async () => {
    root = await tempDir('tusou-hostile-');
    bucket = join(root, 'bucket');
    outside = join(root, 'outside');
    await mkdir(join(bucket, 'batch'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.jpg'), await scene(90));
    await writeFile(join(bucket, 'batch', 'ok.jpg'), await scene(91));
    // A symlinked folder and a symlinked picture, both leading out of the bucket.
    await symlink(outside, join(bucket, 'escape'));
    await symlink(join(outside, 'secret.jpg'), join(bucket, 'batch', 'link.jpg'));
    await writeFile(join(outside, 'increment.meta'), `${JSON.stringify({ ProductId: 'out', PicName: 'secret.jpg' })}\n`);
    await writeFile(join(bucket, 'batch', 'increment.meta'), [
      { ProductId: 'ok', PicName: 'ok.jpg' },
      { ProductId: 'dots', PicName: '../../outside/secret.jpg' },
      { ProductId: 'abs', PicName: join(outside, 'secret.jpg') },
      { ProductId: 'link', PicName: 'link.jpg' },
      { ProductId: 'nul', PicName: 'ok.jpg\u0000.png' },
    ].map((l) => JSON.stringify(l)).join('\n'));

    files = http.createServer((req, res) => {
      fetched++;
      res.end('fetched');
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

    p = await spawnServer(join(root, 'data'), {
      TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${bucket}`,
      TUSOU_FETCH_URLS: 'true', TUSOU_DETECTOR: 'saliency', TUSOU_LOG_LEVEL: 'warn',
    });
    client = new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(p.url).host, protocol: 'http', readTimeout: 60_000 }));
    assert.equal((await rest('/api/v1/instances', { method: 'POST', json: { name: 'h' } })).status, 201);
    assert.equal((await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'good', picName: 'g.jpg', picture: b64(await scene(1)), strAttr: 'plain' } })).status, 201);
    // Warm up the decoders and the search path once before measuring.
    assert.equal((await rest('/api/v1/instances/h/search', { method: 'POST', json: { picture: b64(await scene(1)) } })).status, 200);
    baselineMiB = await rssMiB(p.child.pid!);
  });

  after(async () => {
    p?.child.kill('SIGTERM');
    await p?.exited;
    files?.closeAllConnections();
    await new Promise<void>((r) => files?.close(() => r()));
    await rm(root, { recursive: true, force: true });
  });

  test('broken pictures get their own code on both APIs and are never stored', async () => {
    const ALIYUN: Record<string, string> = { IMAGE_CORRUPT: 'InvalidPicContent', IMAGE_FORMAT_UNSUPPORTED: 'UnsupportedPicFormat', IMAGE_PIXELS_OUT_OF_RANGE: 'UnsupportedPicPixels' };
    for (const pic of await brokenPictures()) {
      const json = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'bad', picName: pic.name, picture: b64(pic.bytes) } }));
      assert.equal(json.code, pic.code, `REST JSON, ${pic.name}: ${json.message}`);
      assert.ok(json.message.length > 10);
      const form = new FormData();
      form.set('productId', 'bad');
      form.set('picName', pic.name);
      form.set('picture', new Blob([new Uint8Array(pic.bytes)]), 'x.jpg');
      const multipart = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', body: form }));
      assert.equal(multipart.code, pic.code, `REST multipart, ${pic.name}`);
      const search = await restError(await rest('/api/v1/instances/h/search', { method: 'POST', json: { picture: b64(pic.bytes) } }));
      assert.equal(search.code, pic.code, `REST search, ${pic.name}`);
      const e = await sdkError(client.addImage(new M.AddImageRequest({ instanceName: 'h', productId: 'bad', picName: 'x.jpg', picContent: b64(pic.bytes) })));
      assert.deepEqual([e.code, e.statusCode], [ALIYUN[pic.code], 400], `AddImage, ${pic.name}: ${e.message}`);
      const s = await sdkError(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'h', picContent: b64(pic.bytes) })));
      assert.equal(s.code, ALIYUN[pic.code], `SearchImageByPic, ${pic.name}`);
    }
    assert.equal(await count(), 1);
  });

  test('a 20000×20000 picture is refused naming its size', async () => {
    const big = (await brokenPictures()).find((x) => x.code === 'IMAGE_PIXELS_OUT_OF_RANGE')!;
    const e = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'big', picName: 'big.png', picture: b64(big.bytes) } }));
    assert.match(e.message, /20000x20000 px; width and height must be within 16\.\.8192/);
  });

  test('an animated GIF with 5000 frames is read from its first frame only', async () => {
    const gif = gifAnimationBomb(5000, 2000);
    const res = await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'anim', picName: 'a.gif', picture: b64(gif) } });
    assert.equal(res.status, 201, await res.clone().text());
    const image = ((await res.json()) as { image: { width: number; height: number; format: string } }).image;
    assert.deepEqual([image.width, image.height, image.format], [2000, 2000, 'gif']);
    assert.equal((await rest('/api/v1/instances/h/images/anim/a.gif', { method: 'DELETE' })).status, 200);
  });

  test('empty, missing and invalid base64 pictures', async () => {
    assert.equal((await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'e', picName: 'e', picture: '' } }))).code, 'IMAGE_EMPTY');
    const form = new FormData();
    form.set('productId', 'e');
    form.set('picName', 'e');
    form.set('picture', new Blob([]), 'empty.jpg');
    assert.equal((await restError(await rest('/api/v1/instances/h/images', { method: 'POST', body: form }))).code, 'IMAGE_EMPTY');
    assert.equal((await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'e', picName: 'e' } }))).code, 'IMAGE_MISSING');
    for (const junk of ['not base64 at all!', '@@@@', 'QUJD=A', `${b64(await scene(2))}!`]) {
      assert.equal((await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: 'e', picName: 'e', picture: junk } }))).code, 'IMAGE_BASE64_INVALID', junk.slice(0, 20));
      const e = await sdkError(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'h', picContent: junk })));
      assert.deepEqual([e.code, e.statusCode], ['InvalidPicContent', 400]);
    }
    assert.equal((await sdkError(client.addImage(new M.AddImageRequest({ instanceName: 'h', productId: 'e', picName: 'e' })))).code, 'NoSpecifiedPicContent');
  });

  test('bodies larger than the limit are refused with 413 (REST) / BadRequest (Alibaba) before they are read', async () => {
    // Only the head is sent: the answer must come from Content-Length alone.
    const head = async (lines: string[]) => {
      const { hostname, port } = new URL(p.url);
      const socket = net.connect(Number(port), hostname);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`${lines.join('\r\n')}\r\nHost: ${hostname}:${port}\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`);
      return new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (c: Buffer) => { text += c.toString(); });
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
        socket.setTimeout(10_000, () => socket.destroy());
      });
    };
    const r = await head(['POST /api/v1/instances/h/images HTTP/1.1', `Authorization: ${AUTH.authorization}`, 'Content-Type: application/json']);
    assert.match(r, /^HTTP\/1\.1 413/);
    assert.match(r, /"code":"BODY_TOO_LARGE"/);
    assert.match(r, /\r\nconnection: close\r\n/i);
    const a = await head(['POST / HTTP/1.1', 'x-acs-action: AddImage', 'Content-Type: application/x-www-form-urlencoded']);
    assert.match(a, /^HTTP\/1\.1 400/);
    assert.match(a, /"Code":"BadRequest","Message":"request body is larger than the limit/);
  });

  test('wrong content types are refused by name', async () => {
    const text = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', body: 'productId=x', headers: { 'content-type': 'text/plain' } }));
    assert.deepEqual([text.status, text.code], [400, 'BODY_INVALID']);
    assert.match(text.message, /Content-Type must be application\/json or multipart\/form-data/);
    const created = await restError(await rest('/api/v1/instances', { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/xml' } }));
    assert.deepEqual([created.status, created.code], [400, 'BODY_INVALID']);
    const a = await fetch(`${p.url}/`, { method: 'POST', headers: { 'x-acs-action': 'Detail', 'x-acs-version': '2020-12-14', 'content-type': 'application/json' }, body: '{"InstanceName":"h"}' });
    const body = (await a.json()) as { Code: string; Message: string };
    assert.deepEqual([a.status, body.Code], [400, 'BadRequest']);
    assert.match(body.Message, /application\/x-www-form-urlencoded/);
  });

  test('text that is not UTF-8 is refused, never stored as replacement characters', async () => {
    const bad = Buffer.concat([Buffer.from('{"productId":"p\xff', 'latin1'), Buffer.from('","picName":"n","picture":"'), Buffer.from(b64(await scene(3))), Buffer.from('"}')]);
    const r = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', body: bad, headers: { 'content-type': 'application/json' } }));
    assert.deepEqual([r.code, r.message], ['BODY_INVALID', 'request body could not be read: the JSON body is not valid UTF-8']);
    for (const body of [Buffer.from('InstanceName=h&ProductId=%FF%FE&PicName=n'), Buffer.from([...Buffer.from('InstanceName=h&ProductId='), 0xc3, 0x28])]) {
      const a = await fetch(`${p.url}/`, { method: 'POST', headers: { 'x-acs-action': 'DeleteImage', 'x-acs-version': '2020-12-14', 'content-type': 'application/x-www-form-urlencoded' }, body });
      const e = (await a.json()) as { Code: string; Message: string };
      assert.equal(a.status, 400);
      assert.equal(e.Code, 'BadRequest');
      assert.match(e.Message, /"ProductId" must be UTF-8 text/);
    }
    assert.equal(await count(), 1);
  });

  test('filters of 10,000 characters, deep nesting and SQL-looking text get filter codes; SQL-looking values are only data', async () => {
    const long = `int_attr=1${' OR int_attr=1'.repeat(800)}`.slice(0, 10_000);
    const deep = `${'('.repeat(5000)}int_attr=1${')'.repeat(5000)}`;
    for (const [filter, code] of [[long, 'FILTER_INVALID'], [deep, 'FILTER_INVALID'], ['int_attr=1 OR 1=1', 'FILTER_SYNTAX'], ['str_attr="a"; DROP TABLE images; --', 'FILTER_SYNTAX'], ["str_attr='x' OR '1'='1'", 'FILTER_SYNTAX']] as const) {
      const r = await restError(await rest(`/api/v1/instances/h/images?filter=${encodeURIComponent(filter)}`));
      assert.equal(r.code, code, `${filter.slice(0, 40)}: ${r.message}`);
      const e = await sdkError(client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'h', filter })));
      assert.deepEqual([e.code, e.statusCode], ['InvalidFilterClause', 400]);
    }
    const evil = "x' OR '1'='1'; DROP TABLE images; --";
    await client.addImage(new M.AddImageRequest({ instanceName: 'h', productId: "1' OR 1=1 --", picName: 'evil.jpg', picContent: b64(await scene(4)), strAttr: evil }));
    const found = await client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'h', filter: `str_attr="${evil}"` }));
    assert.deepEqual(found.body?.auctions?.map((a) => [a.productId, a.strAttr]), [["1' OR 1=1 --", evil]]);
    assert.equal(await count(), 2, 'nothing was dropped');
    await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'h', productId: "1' OR 1=1 --" }));
    assert.equal(await count(), 1);
  });

  test('ProductId and PicName: ../ is plain data; NUL and control characters are refused', async () => {
    const res = await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId: '../../../../etc', picName: '../passwd', picture: b64(await scene(5)) } });
    assert.equal(res.status, 201);
    const got = await rest(`/api/v1/instances/h/images/${encodeURIComponent('../../../../etc')}/${encodeURIComponent('../passwd')}`);
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { productId: string }).productId, '../../../../etc');
    const exists = await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'h', productId: '../../../../etc', picName: '../passwd' }));
    assert.equal(exists.body?.exists, true);
    assert.equal(existsSync(join(root, 'passwd')) || existsSync(join(root, 'data', 'passwd')), false);
    for (const [productId, picName, code, aliyun] of [['p\u0000x', 'n', 'PRODUCT_ID_INVALID', 'InvalidProductId'], ['p', 'n\u0007', 'PIC_NAME_INVALID', 'InvalidPicName'], ['p\r\nX-Injected: 1', 'n', 'PRODUCT_ID_INVALID', 'InvalidProductId']]) {
      const r = await restError(await rest('/api/v1/instances/h/images', { method: 'POST', json: { productId, picName, picture: b64(await scene(6)) } }));
      assert.equal(r.code, code);
      assert.match(r.message, /control characters/);
      const e = await sdkError(client.addImage(new M.AddImageRequest({ instanceName: 'h', productId, picName, picContent: b64(await scene(6)) })));
      assert.equal(e.code, aliyun);
    }
    await rest(`/api/v1/instances/h/images/${encodeURIComponent('../../../../etc')}/${encodeURIComponent('../passwd')}`, { method: 'DELETE' });
    assert.equal(await count(), 1);
  });

  test('bucket paths and increment.meta lines cannot leave the bucket folder', async () => {
    for (const path of ['/../outside', '/batch/../../outside', '/escape', '//etc', '/batch/']) {
      const e = await sdkError(client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'h', bucketName: 'shop', path })));
      assert.equal(e.code, 'Console.BadRequest', path);
      assert.match(e.message, /not allowed/);
    }
    assert.equal((await sdkError(client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'h', bucketName: 'other', path: '/batch' })))).code, 'Console.BadRequest');
    const started = await client.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'h', bucketName: 'shop', path: '/batch' }));
    const id = Number(started.body?.data?.id);
    let task: M.IncreaseListResponseBodyDataIncrementsInstance | undefined;
    for (let i = 0; i < 200 && task?.status !== 'SUCCESS' && task?.status !== 'FAIL'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      task = (await client.increaseList(new M.IncreaseListRequest({ instanceName: 'h', id }))).body?.data?.increments?.instance?.[0];
    }
    assert.ok(task?.errorUrl, `task ${JSON.stringify(task)}; server errors: ${JSON.stringify(p.logs.filter((l) => l.level === 50 || l.level === 'error'))}`);
    const errors = (await (await fetch(task.errorUrl.replace(/^https?:\/\/[^/]+/, p.url))).text()).trim().split('\n').map((l) => JSON.parse(l) as { ProductId: string; ErrorCode: string });
    assert.deepEqual(errors.map((e) => [e.ProductId, e.ErrorCode]).sort(), [['abs', 'PATH_INVALID'], ['dots', 'PATH_INVALID'], ['link', 'PATH_INVALID'], ['nul', 'PATH_INVALID']]);
    assert.equal((await client.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'h', productId: 'ok', picName: 'ok.jpg' }))).body?.exists, true);
    for (const productId of ['dots', 'abs', 'link', 'nul', 'out']) {
      const res = await client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'h', filter: 'int_attr=0', num: 100 }));
      assert.ok(!res.body?.auctions?.some((a) => a.productId === productId), `${productId} was added`);
    }
    await client.deleteImage(new M.DeleteImageRequest({ instanceName: 'h', productId: 'ok' }));
  });

  test('PicContent URLs of loopback, private and link-local addresses are not fetched (SSRF)', async () => {
    const port = new URL(filesUrl).port;
    const urls = [
      `${filesUrl}/pic.jpg`, `http://localhost:${port}/pic.jpg`, `http://[::1]:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/x.jpg', 'http://192.168.1.1/x.jpg',
      'http://[fd00::1]/x.jpg', 'http://0.0.0.0/x.jpg', `${p.url}/api/v1/health`,
    ];
    for (const url of urls) {
      const e = await sdkError(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'h', picContent: url })));
      assert.deepEqual([e.code, e.statusCode], ['InvalidPicUrl', 400], `${url}: ${e.message}`);
      assert.match(e.message, /private, loopback and link-local addresses are not fetched|not fetched/);
    }
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:25/']) {
      const e = await sdkError(client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'h', picContent: url })));
      assert.equal(e.code, 'InvalidPicContent', url);
    }
    assert.equal(fetched, 0, 'the local server was never called');
  });

  test('afterwards the server still serves, its memory stayed bounded, and the store is consistent', async (t) => {
    assert.equal((await fetch(`${p.url}/api/v1/health`)).status, 200);
    assert.equal((await rest('/api/v1/instances/h/search', { method: 'POST', json: { picture: b64(await scene(1)) } })).status, 200);
    const grownMiB = (await rssMiB(p.child.pid!)) - baselineMiB;
    // Decoding the 20000² bomb alone would take 1.2 GB, every frame of the GIF bomb 80 GB.
    assert.ok(grownMiB < 400, `resident memory grew by ${grownMiB.toFixed(0)} MiB`);
    t.diagnostic(`resident memory: ${baselineMiB.toFixed(0)} MiB before the hostile requests, +${grownMiB.toFixed(0)} MiB after`);
    assert.equal(p.child.exitCode, null);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    const check = runCli(join(root, 'data'), ['check']);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /^h: 1 images, 1 indexed; 0 missing/m);
    assert.equal((await readdir(join(root, 'data'))).includes('passwd'), false);
  });
});
