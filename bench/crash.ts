// Crash soak: SIGKILL the real server at random moments while it imports N images over REST (8 in
// flight, index snapshots every 250 changes), while IncreaseInstance tasks run, while images are
// replaced with a snapshot after every change (so kills land mid-snapshot), and while images are
// deleted. After every kill: `tusou check` on the stopped data directory must pass, the server
// restarts, every acknowledged write must be there (deleted ones gone), the index must agree with
// the store, and interrupted tasks must be FAIL with a reason. At the end every record and a
// sample of originals are compared with what was sent.
//   npx tsx bench/crash.ts [--images 5000] [--kill-every 4-15] [--fast-kill-every 1-3] [--deletes 1000]
//     [--replaces 400] [--task-lines 1500]
// Prints a table and writes bench/results/crash.json.

import sdk, * as M from '@alicloud/imagesearch20201214';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scene } from '../test/support/images.js';
import { spawnServer, type ServerProcess } from '../test/support/process.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '5000' },
    'kill-every': { type: 'string', default: '4-15' },
    'fast-kill-every': { type: 'string', default: '1-3' },
    replaces: { type: 'string', default: '400' },
    deletes: { type: 'string', default: '1000' },
    'task-lines': { type: 'string', default: '1500' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.images);
const [KILL_MIN_S, KILL_MAX_S] = args['kill-every'].split('-').map(Number);
const [FAST_MIN_S, FAST_MAX_S] = args['fast-kill-every'].split('-').map(Number);
const REPLACES = Math.min(Number(args.replaces), N);
const DELETES = Math.min(Number(args.deletes), N);
const TASK_LINES = Number(args['task-lines']);
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), 'tusou-crash-bench-'));
const dataDir = join(root, 'data');
const bucket = join(root, 'bucket');
const AK = 'TSCRASHBENCH';
const SECRET = 'crash-bench-secret-0123456789ab';
const AUTH = { authorization: `Bearer ${AK}:${SECRET}` };
const BASE_ENV = {
  TUSOU_DETECTOR: 'saliency', TUSOU_VISION_WARMUP: 'false', TUSOU_SNAPSHOT_EVERY: '250', TUSOU_LOG_LEVEL: 'info',
  TUSOU_ACCESS_KEY_ID: AK, TUSOU_ACCESS_KEY_SECRET: SECRET, TUSOU_BUCKETS: `shop=${bucket}`,
};
/** The environment servers (re)start with; the snapshot phase snapshots after every change. */
let ENV: Record<string, string> = BASE_ENV;

interface Kill {
  phase: string;
  atS: number;
  acknowledgedSoFar: number;
  /** The kill left a snapshot being written (a .tmp file or a payload without header). */
  midSnapshot: boolean;
  checkOk: boolean;
  lost: number;
  resurrected: number;
  indexAgrees: boolean;
  orphansRemoved: number;
  restartMs: number;
}

const kills: Kill[] = [];
const t0 = performance.now();
const seconds = () => (performance.now() - t0) / 1000;
const pictureOf = (i: number) => scene(100_000 + i, { width: 96, height: 72 });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: ServerProcess;
const rest = (path: string, method = 'GET', body?: unknown) => fetch(server.url + path, {
  method, body: body === undefined ? undefined : JSON.stringify(body), headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
});

/** `tusou check` on the stopped data directory (it also cleans up after the crash, as a start would). */
function check(): { ok: boolean; out: string; orphansRemoved: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dataDir, 'check'], { encoding: 'utf8', env: { ...process.env, TUSOU_LOG_LEVEL: 'silent' } });
  return { ok: r.status === 0, out: r.stdout + r.stderr, orphansRemoved: Number(/removed (\d+) unreferenced originals/.exec(r.stdout)?.[1] ?? 0) };
}

function midSnapshot(): boolean {
  const files = readdirSync(join(dataDir, 'indexes'));
  return files.some((f) => f.endsWith('.tmp')) || files.filter((f) => f.endsWith('.payload')).length > 1;
}

const acknowledged = new Set<number>();
/** Images a delete was sent for (it may have taken effect without its answer arriving). */
const deleteSent = new Set<number>();
/** Lines of the batch file whose image must exist once a run succeeded. */
const acknowledgedTasks = new Set<number>();
const deleted = new Set<number>();

/** Records the server holds now: productId → sha256 (from the NDJSON export). */
async function stored(): Promise<Map<string, string>> {
  const text = await (await rest('/api/v1/instances/d/export')).text();
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { productId: string; sha256?: string };
    out.set(r.productId, r.sha256 ?? '');
  }
  return out;
}

/** Kill now, check, restart, verify; returns the new server. */
async function killAndRecover(phase: string): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
  const kill: Kill = { phase, atS: Math.round(seconds()), acknowledgedSoFar: acknowledged.size, midSnapshot: midSnapshot(), checkOk: false, lost: 0, resurrected: 0, indexAgrees: false, orphansRemoved: 0, restartMs: 0 };
  const c = check();
  kill.checkOk = c.ok;
  if (!c.ok) process.stderr.write(`tusou check failed after a kill during ${phase}:\n${c.out}\n`);
  const r0 = performance.now();
  server = await spawnServer(dataDir, ENV);
  kill.restartMs = Math.round(performance.now() - r0);
  const have = await stored();
  for (const i of acknowledged) if (!deleteSent.has(i) && !have.has(`p${i}`)) kill.lost++;
  for (const i of deleted) if (have.has(`p${i}`)) kill.resurrected++;
  const report = server.logs.find((l) => l.msg === 'index ready' && l.instance === 'd');
  kill.indexAgrees = report?.size === have.size;
  kill.orphansRemoved = c.orphansRemoved;
  kills.push(kill);
  process.stderr.write(`kill ${kills.length} during ${phase} at ${kill.atS}s: ${acknowledged.size} acknowledged, lost ${kill.lost}, check ${c.ok ? 'ok' : 'FAILED'}, index ${kill.indexAgrees ? 'agrees' : 'DISAGREES'}${kill.midSnapshot ? ', mid-snapshot' : ''}\n`);
}

let [killMinS, killMaxS] = [KILL_MIN_S, KILL_MAX_S];
const nextKillMs = () => (killMinS + Math.random() * (killMaxS - killMinS)) * 1000;

/** Run `op` over `items` with 8 in flight, killing the server at random moments, until every item is in `done`. */
async function phase(name: string, items: number[], op: (i: number) => Promise<boolean>, done: Set<number>): Promise<void> {
  let todo = items;
  while (todo.length) {
    const killAt = performance.now() + nextKillMs();
    const failed: number[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < todo.length && !killed) {
        const i = todo[next++];
        if (performance.now() >= killAt) {
          killed = true;
          failed.push(i, ...todo.slice(next));
          return;
        }
        const ok = await op(i).catch(() => false);
        if (ok) done.add(i);
        else failed.push(i);
      }
    };
    let recovering: Promise<void> | undefined;
    // Kill while requests are in flight: at the deadline, not after they drained.
    const timer = setTimeout(() => {
      killed = true;
      recovering = killAndRecover(name);
    }, Math.max(0, killAt - performance.now()));
    await Promise.all(Array.from({ length: 8 }, worker));
    clearTimeout(timer);
    await recovering;
    failed.push(...todo.slice(next));
    todo = [...new Set(failed)].filter((i) => !done.has(i));
  }
}

async function main(): Promise<void> {
  mkdirSync(join(bucket, 'batch'), { recursive: true });
  server = await spawnServer(dataDir, ENV);
  await rest('/api/v1/instances', 'POST', { name: 'd', index: 'hnsw:m=16,efc=100,ef=100' });
  process.stderr.write(`importing ${N} images with random kills every ${KILL_MIN_S}-${KILL_MAX_S} s\n`);

  const importStart = seconds();
  await phase('import', Array.from({ length: N }, (_, i) => i), async (i) => {
    const res = await rest('/api/v1/instances/d/images', 'POST', { productId: `p${i}`, picName: `${i}.jpg`, picture: (await pictureOf(i)).toString('base64'), intAttr: i });
    return res.status === 201 || res.status === 200;
  }, acknowledged);
  const importS = seconds() - importStart;

  // IncreaseInstance: the same batch file again and again until one run completes.
  for (let i = 0; i < Math.min(TASK_LINES, 50); i++) writeFileSync(join(bucket, 'batch', `t${i}.jpg`), await scene(200_000 + i, { width: 96, height: 72 }));
  writeFileSync(join(bucket, 'batch', 'increment.meta'), Array.from({ length: TASK_LINES }, (_, i) => JSON.stringify({ ProductId: `t${i}`, PicName: `t${i % 50}.jpg` })).join('\n'));
  const taskRuns: { id: number; status: string; code?: string; msg?: string }[] = [];
  let taskKills = 0;
  // The first runs are killed at a random moment; then one run is left to finish.
  for (let attempt = 0; ; attempt++) {
    const id = await startIncrement();
    const killAfter = attempt < 5 ? performance.now() + 1000 + Math.random() * 4000 : Infinity;
    let status = 'PROCESSING';
    while (status === 'PROCESSING' && performance.now() < killAfter) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await taskOf(id)).status;
    }
    if (status === 'PROCESSING') {
      taskKills++;
      await killAndRecover('IncreaseInstance');
      const t = await taskOf(id);
      taskRuns.push({ id, status: t.status, code: t.code, msg: t.msg });
      continue;
    }
    taskRuns.push({ id, status });
    break;
  }
  for (let i = 0; i < TASK_LINES; i++) acknowledgedTasks.add(i);

  // Replacing images with a snapshot after every change: most of the time goes into writing
  // snapshots, so most kills land in the middle of one.
  [killMinS, killMaxS] = [FAST_MIN_S, FAST_MAX_S];
  ENV = { ...BASE_ENV, TUSOU_SNAPSHOT_EVERY: '1' };
  server.child.kill('SIGTERM');
  await server.exited;
  server = await spawnServer(dataDir, ENV);
  const replaceStart = seconds();
  const replaced = new Set<number>();
  await phase('replace + snapshot', [...acknowledged].slice(N - REPLACES), async (i) => {
    const res = await rest('/api/v1/instances/d/images', 'POST', { productId: `p${i}`, picName: `${i}.jpg`, picture: (await pictureOf(i)).toString('base64'), intAttr: i });
    return res.status === 200 || res.status === 201;
  }, replaced);
  const replaceS = seconds() - replaceStart;
  ENV = BASE_ENV;

  const deleteStart = seconds();
  // A 404 means an earlier attempt deleted it but its answer was lost in the kill.
  await phase('delete', [...acknowledged].slice(0, DELETES), async (i) => {
    deleteSent.add(i);
    return [200, 404].includes((await rest(`/api/v1/instances/d/images/p${i}/${i}.jpg`, 'DELETE')).status);
  }, deleted);
  const deleteS = seconds() - deleteStart;

  // Final verification: every record; a sample of originals byte for byte.
  const have = await stored();
  const lost = [...acknowledged].filter((i) => !deleteSent.has(i) && !have.has(`p${i}`)).length
    + [...acknowledgedTasks].filter((i) => !have.has(`t${i}`)).length;
  const resurrected = [...deleted].filter((i) => have.has(`p${i}`)).length;
  let originalsChecked = 0;
  let originalsWrong = 0;
  for (const i of [...acknowledged].filter((x) => !deleted.has(x)).sort(() => Math.random() - 0.5).slice(0, 200)) {
    const bytes = Buffer.from(await (await rest(`/api/v1/instances/d/images/p${i}/${i}.jpg/original`)).arrayBuffer());
    originalsChecked++;
    if (sha(bytes) !== sha(await pictureOf(i))) originalsWrong++;
  }
  const storedAtEnd = have.size;
  server.child.kill('SIGTERM');
  await server.exited;
  const finalCheck = check();

  const summary = {
    images: N, acknowledged: acknowledged.size, deleted: deleted.size, taskLines: TASK_LINES, storedAtEnd, expectedAtEnd: acknowledged.size - deleted.size + TASK_LINES,
    kills: kills.length, killsMidSnapshot: kills.filter((k) => k.midSnapshot).length,
    lost, resurrected, lostAfterAnyKill: kills.reduce((a, k) => a + k.lost, 0), resurrectedAfterAnyKill: kills.reduce((a, k) => a + k.resurrected, 0),
    checkFailures: kills.filter((k) => !k.checkOk).length + (finalCheck.ok ? 0 : 1), indexDisagreements: kills.filter((k) => !k.indexAgrees).length,
    orphansRemovedAtRestart: kills.reduce((a, k) => a + k.orphansRemoved, 0),
    originalsChecked, originalsWrong,
    taskKills, taskRuns,
    replaced: replaced.size, killsDuringReplace: kills.filter((k) => k.phase === 'replace + snapshot').length, killsDuringDelete: kills.filter((k) => k.phase === 'delete').length,
    importS: Math.round(importS), replaceS: Math.round(replaceS), deleteS: Math.round(deleteS), totalS: Math.round(seconds()),
    restartMsP50: kills.map((k) => k.restartMs).sort((a, b) => a - b)[Math.floor(kills.length / 2)] ?? 0,
  };
  console.log('\n| measure | value |\n|---|---|');
  for (const [k, v] of Object.entries(summary)) if (k !== 'taskRuns') console.log(`| ${k} | ${v} |`);
  const failedRuns = taskRuns.filter((t) => t.status === 'FAIL');
  console.log(`| interrupted task runs | ${failedRuns.length}, each FAIL with ${[...new Set(failedRuns.map((t) => `${t.code} "${t.msg}"`))].join('; ') || '-'} |`);
  console.log(`| last task run | ${JSON.stringify(taskRuns.at(-1))} |`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/crash.json', JSON.stringify({ summary, kills }, null, 1));
  if (!args.keep) rmSync(root, { recursive: true, force: true });
  const bad = summary.lost || summary.resurrected || summary.storedAtEnd !== summary.expectedAtEnd || summary.lostAfterAnyKill || summary.resurrectedAfterAnyKill || summary.checkFailures || summary.indexDisagreements || summary.originalsWrong
    || taskRuns.some((t) => t.status === 'FAIL' && !t.msg) || taskRuns.at(-1)?.status !== 'SUCCESS';
  if (bad) process.exitCode = 1;
}

// -- IncreaseInstance through the real Alibaba API, signed by the official SDK.

function client() {
  return new sdk.default(new $OpenApiUtil.Config({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: new URL(server.url).host, protocol: 'http', readTimeout: 60_000 }));
}

async function startIncrement(): Promise<number> {
  const res = await client().increaseInstance(new M.IncreaseInstanceRequest({ instanceName: 'd', bucketName: 'shop', path: '/batch' }));
  return Number(res.body?.data?.id);
}

async function taskOf(id: number): Promise<{ status: string; code?: string; msg?: string }> {
  const t = (await client().increaseList(new M.IncreaseListRequest({ instanceName: 'd', id }))).body?.data?.increments?.instance?.[0];
  return { status: t?.status ?? '?', code: t?.code, msg: t?.msg };
}

await main();
