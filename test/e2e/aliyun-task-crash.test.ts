// A batch task killed with SIGKILL mid-way: after a restart it is FAIL with a reason, the images it
// had added are there, and a new task can start.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scene } from '../support/images.js';
import { tempDir } from '../support/server.js';
import { dropTestStore, testStoreEnv } from '../support/stores.js';

const Client = sdk.default;
const AK = 'TSCRASHTESTKEY';
const SECRET = 'crash-test-secret';

/** Start `tusou serve` in a child process; resolves with its URL once it listens. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'], {
    env: { ...process.env, TUSOU_LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving at (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    child.once('exit', (code) => reject(new Error(`tusou serve exited with ${code}: ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a task interrupted by SIGKILL', () => {
  test('is marked FAIL with a reason after the restart; what it added survives; the slot is free again', async () => {
    const root = await tempDir('tusou-crash-');
    const bucket = join(root, 'bucket');
    await mkdir(join(bucket, 'big'), { recursive: true });
    await writeFile(join(bucket, 'big', 'pic.jpg'), await scene(5));
    // One picture under many keys: a batch long enough to be killed in the middle.
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ ProductId: `p${i}`, PicName: 'pic.jpg', IntAttr: i }));
    await writeFile(join(bucket, 'big', 'increment.meta'), lines.join('\n'));
    const env = { TUSOU_DATA_DIR: join(root, 'data'), TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${bucket}`, ...testStoreEnv(join(root, 'data')) };
    const client = (url: string) => new Client(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(url).host, protocol: 'http', readTimeout: 30_000, connectTimeout: 30_000 }));

    let first = await serve(env);
    try {
      const res = await fetch(`${first.url}/api/v1/instances`, { method: 'POST', body: JSON.stringify({ name: 'crash' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${AK}:${SECRET}` } });
      assert.equal(res.status, 201);
      const started = await client(first.url).increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'crash', bucketName: 'shop', path: '/big' }));
      const id = Number(started.body?.data?.id);
      // Wait until some lines are in, then kill without any chance to clean up.
      for (;;) {
        const d = await client(first.url).detail(new M.DetailRequest({ instanceName: 'crash' }));
        if ((d.body?.instance?.totalCount ?? 0) >= 20) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await killed(first.child);

      first = await serve(env);
      const c = client(first.url);
      const list = await c.increaseList(new M.IncreaseListRequest({ instanceName: 'crash', id }));
      const task = list.body?.data?.increments?.instance?.[0];
      assert.equal(task?.status, 'FAIL');
      assert.equal(task?.code, 'Console.InternalError');
      assert.match(task?.msg ?? '', /interrupted/);
      const count = (await c.detail(new M.DetailRequest({ instanceName: 'crash' }))).body?.instance?.totalCount ?? 0;
      assert.ok(count >= 20 && count < 3000, `${count} images survived the kill`);
      const check = await c.checkImageExists(new M.CheckImageExistsRequest({ instanceName: 'crash', productId: 'p0', picName: 'pic.jpg' }));
      assert.equal(check.body?.exists, true);
      const again = await c.dumpMeta(new M.DumpMetaRequest({ instanceName: 'crash' }));
      assert.equal(again.body?.data?.dumpMetaStatus, 'PROCESSING');
      const retry = await c.increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'crash', bucketName: 'shop', path: '/big' }));
      assert.ok(Number(retry.body?.data?.id) > id, 'a new increment can start after the interrupted one');
    } finally {
      await killed(first.child);
      await rm(root, { recursive: true, force: true });
      await dropTestStore(join(root, 'data'));
    }
  });
});
