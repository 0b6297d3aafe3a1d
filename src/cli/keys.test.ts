import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { startTestServer, tempDir } from '../../test/support/server.js';
import { runCli } from '../../test/support/process.js';
import { dropTestStore } from '../../test/support/stores.js';

const Client = sdk.default;

const cli = (dataDir: string, ...args: string[]) => runCli(dataDir, args, { TUSOU_ACCESS_KEY_ID: '', TUSOU_ACCESS_KEY_SECRET: '' });

describe('tusou keys', () => {
  test('create prints the secret once, the key signs SDK requests, revoke stops it at once', async () => {
    const dir = await tempDir();
    try {
      const created = cli(dir, 'keys', 'create', '--description', 'ci runner', '--json');
      assert.equal(created.status, 0, created.stderr);
      const { accessKeyId, accessKeySecret } = JSON.parse(created.stdout) as { accessKeyId: string; accessKeySecret: string };
      const listed = cli(dir, 'keys', 'list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`^${accessKeyId}\\tactive\\tcreated \\S+\\tci runner$`, 'm'));
      assert.ok(!listed.stdout.includes(accessKeySecret), 'list never shows a secret');

      const use = async () => {
        const s = await startTestServer({}, dir);
        try {
          // With a key in the store the REST API wants one too (the server is no longer open).
          assert.equal((await s.api('/api/v1/instances', { method: 'POST', json: { name: 'nokey' } })).status, 401);
          await s.api('/api/v1/instances', { method: 'POST', json: { name: 'demo' }, headers: { authorization: `Bearer ${accessKeyId}:${accessKeySecret}` } });
          const client = new Client(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint: new URL(s.url).host, protocol: 'http' }));
          return await client.detail(new M.DetailRequest({ instanceName: 'demo' }));
        } finally {
          await s.close({ keepData: true });
        }
      };
      assert.equal((await use()).body?.instance?.name, 'demo');
      const revoked = cli(dir, 'keys', 'revoke', accessKeyId);
      assert.equal(revoked.status, 0, revoked.stderr);
      await assert.rejects(use(), (e: { code?: string; statusCode?: number }) => e.code === 'InvalidAccessKeyId.Inactive' && e.statusCode === 400);
      const scoped = cli(dir, 'keys', 'create', '--instances', 'demo,other', '--read-only', '--qps', '5', '--json');
      assert.equal(scoped.status, 0, scoped.stderr);
      const sk = JSON.parse(scoped.stdout) as { accessKeyId: string; instances: string[]; readOnly: boolean; qps: number };
      assert.deepEqual([sk.instances, sk.readOnly, sk.qps], [['demo', 'other'], true, 5]);
      assert.match(cli(dir, 'keys', 'list').stdout, new RegExp(`^${sk.accessKeyId}\tactive\tcreated \\S+\t\tinstances demo,other; read-only; 5 QPS$`, 'm'));
      const bad = cli(dir, 'keys', 'create', '--instances', 'ok,../etc');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /INSTANCE_NAME_INVALID/);
      const unknown = cli(dir, 'keys', 'revoke', 'TSNOSUCHKEY');
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /AUTH_KEY_NOT_FOUND/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await dropTestStore(dir);
    }
  });
});
