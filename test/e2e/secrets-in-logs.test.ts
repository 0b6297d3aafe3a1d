// No secret ever reaches the logs: the server runs at trace level while the bootstrap key and a
// stored key are used (and misused) over both APIs, then every log line it wrote is searched for
// the secrets, for wrong secrets that callers sent, and for Authorization headers.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scene } from '../support/images.js';
import { runCli, spawnServer } from '../support/process.js';
import { tempDir } from '../support/server.js';
import { dropTestStore } from '../support/stores.js';

const BOOT_ID = 'TSLOGSBOOT';
const BOOT_SECRET = 'bootstrap-secret-never-logged-42';
const WRONG_SECRET = 'a-wrong-secret-someone-mistyped-7';

test('secrets never appear in the logs, whatever callers send (trace level, both APIs, both signatures, failures)', async () => {
  const root = await tempDir('tusou-logs-');
  const dataDir = join(root, 'data');
  try {
    const created = runCli(dataDir, ['keys', 'create', '--json', '--instances', 'shop'], { TUSOU_LOG_LEVEL: 'trace' });
    assert.equal(created.status, 0, created.stderr);
    const stored = JSON.parse(created.stdout) as { accessKeyId: string; accessKeySecret: string };
    assert.ok(!created.stderr.includes(stored.accessKeySecret), 'the CLI logs no secret (it prints it once on stdout, by design)');

    const p = await spawnServer(dataDir, { TUSOU_LOG_LEVEL: 'trace', TUSOU_ACCESS_KEY_ID: BOOT_ID, TUSOU_ACCESS_KEY_SECRET: BOOT_SECRET, TUSOU_DETECTOR: 'saliency' });
    try {
      const bearer = (id: string, secret: string) => ({ authorization: `Bearer ${id}:${secret}` });
      const post = (path: string, json: unknown, headers: Record<string, string>) => fetch(p.url + path, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...headers } });
      assert.equal((await post('/api/v1/instances', { name: 'shop' }, bearer(BOOT_ID, BOOT_SECRET))).status, 201);
      const picture = (await scene(1)).toString('base64');
      assert.equal((await post('/api/v1/instances/shop/images', { productId: 'p', picName: 'n', picture }, bearer(stored.accessKeyId, stored.accessKeySecret))).status, 201);
      assert.equal((await post('/api/v1/instances/shop/images', { productId: 'p', picName: 'n', picture }, bearer(stored.accessKeyId, WRONG_SECRET))).status, 401);
      assert.equal((await post('/api/v1/instances', { name: 'other' }, bearer(stored.accessKeyId, stored.accessKeySecret))).status, 403);
      assert.equal((await fetch(`${p.url}/metrics`, { headers: bearer(BOOT_ID, BOOT_SECRET) })).status, 200);
      // A body that makes the server log at error level cannot carry secrets out either.
      assert.equal((await post('/api/v1/instances/shop/search', { picture: `${BOOT_SECRET}!!` }, bearer(BOOT_ID, BOOT_SECRET))).status, 400);
      for (const [id, secret] of [[BOOT_ID, BOOT_SECRET], [stored.accessKeyId, stored.accessKeySecret], [stored.accessKeyId, WRONG_SECRET]]) {
        for (const signatureAlgorithm of ['ACS3-HMAC-SHA256', 'v2']) {
          const client = new sdk.default(new $OpenApiUtil.Config({ accessKeyId: id, accessKeySecret: secret, endpoint: new URL(p.url).host, protocol: 'http', signatureAlgorithm }));
          await client.searchImageByPic(new M.SearchImageByPicRequest({ instanceName: 'shop', picContent: picture })).catch(() => undefined);
          await client.detail(new M.DetailRequest({ instanceName: 'shop' })).catch(() => undefined);
        }
      }
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    const text = p.logs.map((l) => JSON.stringify(l)).join('\n');
    assert.ok(p.logs.length > 20, `${p.logs.length} log lines were written`);
    assert.ok(p.logs.some((l) => l.keyId === stored.accessKeyId), 'key ids are logged, so requests can be traced to a key');
    for (const secret of [BOOT_SECRET, stored.accessKeySecret, WRONG_SECRET]) assert.ok(!text.includes(secret), `a secret was logged: ${secret.slice(0, 6)}…`);
    assert.doesNotMatch(text, /Bearer|authorization|ACS3-HMAC-SHA256 Credential/i);
  } finally {
    await dropTestStore(dataDir);
    await rm(root, { recursive: true, force: true });
  }
});
