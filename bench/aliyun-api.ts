// Overhead of the Alibaba-compatible front-end, measured through the official SDK on loopback:
// latency of each kind of call against the same call through the REST API, and the cost of the
// *Advance upload round trips. Prints a table and writes JSON.
//   npx tsx bench/aliyun-api.ts [--n 200] [--images 200] [--out bench/results/aliyun-api.json]

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import dara from '@darabonba/typescript';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { scene } from '../test/support/images.js';
import { startTestServer } from '../test/support/server.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' }, images: { type: 'string', default: '200' }, out: { type: 'string', default: 'bench/results/aliyun-api.json' } } });
const N = Number(values.n);
const IMAGES = Number(values.images);
const AK = 'TSBENCHKEY';
const SECRET = 'bench-secret';

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(10, n); i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_LOG_LEVEL: 'silent' });
try {
  const auth = { authorization: `Bearer ${AK}:${SECRET}` };
  await s.api('/api/v1/instances', { method: 'POST', json: { name: 'bench', descriptor: 'colour-hist-rgb512@1' }, headers: auth });
  const host = new URL(s.url).host;
  const client = new sdk.default(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: host, protocol: 'http', readTimeout: 30_000, connectTimeout: 30_000 }));
  client._openPlatformEndpoint = host;
  const v2 = new sdk.default(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: host, protocol: 'http', signatureAlgorithm: 'v2', readTimeout: 30_000, connectTimeout: 30_000 }));
  const pictures = await Promise.all(Array.from({ length: 20 }, (_, i) => scene(i + 1)));
  const b64 = pictures.map((p) => p.toString('base64'));

  const add = await time(IMAGES, (i) => client.addImage(new M.AddImageRequest({ instanceName: 'bench', productId: `p${i}`, picName: 'a.jpg', picContent: b64[i % 20], intAttr: i, crop: false })));
  const rows: Record<string, ReturnType<typeof stats>> = {
    'AddImage (SDK, base64 320x240)': stats(add),
    'Detail (SDK, ACS3)': stats(await time(N, () => client.detail(new M.DetailRequest({ instanceName: 'bench' })))),
    'Detail (SDK, HMAC-SHA1 v2)': stats(await time(N, () => v2.detail(new M.DetailRequest({ instanceName: 'bench' })))),
    'REST GET /instances/bench': stats(await time(N, async () => (await s.api('/api/v1/instances/bench', { headers: auth })).arrayBuffer())),
    'SearchImageByPic (SDK, base64)': stats(await time(N, (i) => client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'bench', picContent: b64[i % 20], crop: false })))),
    'REST search (JSON base64)': stats(await time(N, async (i) => (await s.api('/api/v1/instances/bench/search', { method: 'POST', json: { picture: b64[i % 20], crop: false }, headers: auth })).arrayBuffer())),
    'SearchImageByFilter (SDK)': stats(await time(N, () => client.searchImageByFilter(new M.SearchImageByFilterRequest({ instanceName: 'bench', filter: 'int_attr>=10 AND int_attr<50' })))),
    'searchImageByPicAdvance (SDK, 3 round trips, TLS)': stats(await time(Math.min(N, 100), (i) => client.searchImageByPicAdvance(
      new M.SearchImageByPicAdvanceRequest({ instanceName: 'bench', picContentObject: Readable.from([pictures[i % 20]]), crop: false }),
      new dara.RuntimeOptions({ ignoreSSL: true }),
    ))),
  };
  console.log(`tusou Alibaba-compatible API on loopback, ${IMAGES} images, colour-hist-rgb512@1, flat/hnsw default index (ms)`);
  console.table(rows);
  const result = { date: new Date().toISOString(), node: process.version, n: N, images: IMAGES, rows };
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${values.out}`);
} finally {
  await s.close();
}
