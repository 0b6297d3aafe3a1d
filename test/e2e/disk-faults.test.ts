// A full disk and a read-only data directory, made real with a small tmpfs (mount needs root and
// CAP_SYS_ADMIN; without them these tests are skipped and say so): writes fail with
// STORE_UNAVAILABLE naming the cause, reads go on, the server stays up, writes work again once
// space or write access is back, and nothing is corrupted.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isTusouError } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { scene } from '../support/images.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ON_POSTGRES } from '../support/stores.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const AK = 'TSDISKFAULTS';
const SECRET = 'disk-faults-secret-0123456789ab';
const AUTH = { authorization: `Bearer ${AK}:${SECRET}` };

/** Mount a tmpfs of `size` at a new directory; undefined when this machine does not allow it. */
function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'tusou-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return dir;
}

/** Unmount (lazily if something still holds a file there, so no test leaves a mount behind). */
function umount(dir: string): void {
  if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const probe = mountTmpfs('1m');
if (probe) umount(probe);
const SKIP = ON_POSTGRES ? 'on the PostgreSQL pass the store and the originals live in the database server, not on this disk'
  : probe ? false : 'mounting a tmpfs is not allowed here (needs root with CAP_SYS_ADMIN)';

/** Fill the file system to the last byte; returns the filler's path. */
async function fill(dir: string): Promise<string> {
  const file = join(dir, 'filler');
  const fh = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  // Then byte by byte in smaller pieces, so not even a page is left.
  for (const size of [4096, 512, 1]) {
    try {
      for (;;) await fh.write(Buffer.alloc(size, 1));
    } catch {
      // full at this granularity
    }
  }
  await fh.close();
  return file;
}

function assertHealthyDatabase(dataDir: string): void {
  const db = new Database(join(dataDir, 'tusou.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
  const c = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dataDir, 'check'], { encoding: 'utf8', env: { ...process.env, TUSOU_LOG_LEVEL: 'silent' } });
  assert.equal(c.status, 0, c.stdout + c.stderr);
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message };
}

describe(`disk faults (tmpfs${SKIP ? `; skipped: ${SKIP}` : ''})`, { skip: SKIP, timeout: 180_000 }, () => {
  test('a full disk: writes fail with STORE_UNAVAILABLE "the disk is full", reads go on, writes resume when space is back', async () => {
    const mnt = mountTmpfs('24m')!;
    const dataDir = join(mnt, 'data');
    let s: TestServer | undefined;
    try {
      s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_SNAPSHOT_EVERY: '1' }, dataDir);
      const api = (path: string, init: RequestInit & { json?: unknown } = {}) => s!.api(path, { ...init, headers: AUTH });
      assert.equal((await api('/api/v1/instances', { method: 'POST', json: { name: 'd' } })).status, 201);
      const add = async (seed: number) => api('/api/v1/instances/d/images', { method: 'POST', json: { productId: `p${seed}`, picName: 'a.jpg', picture: (await scene(seed)).toString('base64') } });
      for (let i = 0; i < 5; i++) assert.equal((await add(i)).status, 201);
      const filler = await fill(mnt);

      const refused = await errorOf(await add(100));
      assert.deepEqual([refused.status, refused.code], [503, 'STORE_UNAVAILABLE']);
      assert.match(refused.message, /the disk is full/);
      const client = new sdk.default(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(s.url).host, protocol: 'http' }));
      await assert.rejects(client.addImage(new M.AddImageRequest({ instanceName: 'd', productId: 'q', picName: 'q.jpg', picContent: (await scene(101)).toString('base64') })),
        (e: { code?: string; statusCode?: number; message?: string }) => e.code === 'InternalError' && e.statusCode === 500 && /the disk is full/.test(e.message ?? ''));
      // Attribute changes need no new original: they either succeed (durably) or are refused the same way.
      const patch = await api('/api/v1/instances/d/images/p1/a.jpg', { method: 'PATCH', json: { intAttr: 7 } });
      assert.ok(patch.status === 200 || (await errorOf(patch)).code === 'STORE_UNAVAILABLE', `PATCH answered ${patch.status}`);
      assert.equal((await api('/api/v1/health')).status, 200);
      const found = await api('/api/v1/instances/d/search', { method: 'POST', json: { picture: (await scene(3)).toString('base64'), num: 1 } });
      assert.equal(found.status, 200);
      assert.equal(((await found.json()) as { hits: { productId: string }[] }).hits[0].productId, 'p3');

      await rm(filler);
      assert.equal((await add(200)).status, 201, 'writes work again once there is space');
      await s.close({ keepData: true });
      s = undefined;
      assertHealthyDatabase(dataDir);
    } finally {
      await s?.close({ keepData: true });
      umount(mnt);
    }
  });

  test('read-only originals and indexes under a running server, then a read-only data directory: STORE_UNAVAILABLE "not writable", reads go on, nothing is corrupted', async () => {
    // A file system cannot turn read-only while SQLite holds its files open for writing (the kernel
    // refuses the remount), so the running server sees its originals and indexes folders (separate
    // mounts) turn read-only; the whole data directory is made read-only while it is stopped.
    const mnt = mountTmpfs('32m')!;
    const dataDir = join(mnt, 'data');
    const subMounts: string[] = [];
    let s: TestServer | undefined;
    try {
      for (const sub of ['originals', 'indexes']) {
        const dir = join(dataDir, sub);
        mkdirSync(dir, { recursive: true });
        assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir]).status, 0);
        subMounts.push(dir);
      }
      s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_SNAPSHOT_EVERY: '2' }, dataDir);
      const api = (path: string, init: RequestInit & { json?: unknown } = {}) => s!.api(path, { ...init, headers: AUTH });
      assert.equal((await api('/api/v1/instances', { method: 'POST', json: { name: 'd' } })).status, 201);
      const add = async (seed: number) => api('/api/v1/instances/d/images', { method: 'POST', json: { productId: `p${seed}`, picName: 'a.jpg', picture: (await scene(seed)).toString('base64') } });
      for (let i = 0; i < 5; i++) assert.equal((await add(i)).status, 201);
      for (const dir of subMounts) remount(dir, 'ro');

      const refused = await errorOf(await add(100));
      assert.deepEqual([refused.status, refused.code], [503, 'STORE_UNAVAILABLE']);
      assert.match(refused.message, /not writable/);
      const del = await errorOf(await api('/api/v1/instances/d/images/p2/a.jpg', { method: 'DELETE' }));
      assert.deepEqual([del.status, del.code], [503, 'STORE_UNAVAILABLE']);
      assert.equal((await api('/api/v1/instances/d/images/p2/a.jpg')).status, 200, 'the refused delete changed nothing');
      const found = await api('/api/v1/instances/d/search', { method: 'POST', json: { picture: (await scene(4)).toString('base64'), num: 1 } });
      assert.equal(found.status, 200);
      assert.equal(((await found.json()) as { hits: { productId: string }[] }).hits[0].productId, 'p4');
      assert.equal((await api('/api/v1/instances/d/images/p0/a.jpg/original')).status, 200);
      // Snapshots cannot be written now (one is due every 2 changes): a metadata change still succeeds.
      for (const v of [7, 8, 9]) assert.equal((await api('/api/v1/instances/d/images/p1/a.jpg', { method: 'PATCH', json: { intAttr: v } })).status, 200);
      // So does a shutdown, whose snapshot fails too.
      await s.close({ keepData: true });
      s = undefined;

      remount(mnt, 'ro');
      const serve = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dataDir, 'serve', '--port', '0'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TUSOU_LOG_LEVEL: 'silent' } });
      assert.equal(serve.status, 2, 'a server cannot start on a read-only data directory');
      assert.match(serve.stderr, /^tusou: STORE_UNAVAILABLE: .*EROFS/m);
      assert.throws(() => new SqliteStore(join(dataDir, 'tusou.db')), (e) => isTusouError(e, 'STORE_UNAVAILABLE') && /not writable|cannot open/.test(e.message));

      remount(mnt, 'rw');
      for (const dir of subMounts) remount(dir, 'rw');
      assertHealthyDatabase(dataDir);
      s = await startTestServer({ TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET }, dataDir);
      assert.equal((await add(300)).status, 201, 'writes work again once the directory is writable');
      assert.equal(((await (await api('/api/v1/instances/d')).json()) as { imageCount: number }).imageCount, 6);
      assert.equal(((await (await api('/api/v1/instances/d/images/p1/a.jpg')).json()) as { intAttr: number }).intAttr, 9);
    } finally {
      await s?.close({ keepData: true });
      spawnSync('mount', ['-o', 'remount,rw', mnt]);
      for (const dir of subMounts.reverse()) if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      umount(mnt);
    }
  });
});
