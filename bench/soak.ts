// Soak: the real server under a mixed add / search / update / delete load at twice the rate it
// sustains, on loopback, for N minutes. First a closed-loop calibration measures the sustainable
// rate; then requests are sent open-loop (on a clock, not when answers come) at `--overload` times
// that rate. Reports answers and errors by kind (status + catalogue code), latency percentiles per
// operation, and the server's resident memory over time (growth after warm-up should stay < 10 %).
//   npx tsx bench/soak.ts [--minutes 10] [--overload 2] [--detector centernet|saliency] [--calibrate-s 40]
// Prints tables and writes bench/results/soak.json.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/domain/index.js';
import { scene } from '../test/support/images.js';
import { spawnServer } from '../test/support/process.js';
import { percentile } from './lib/metrics.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    overload: { type: 'string', default: '2' },
    detector: { type: 'string', default: 'centernet' },
    'calibrate-s': { type: 'string', default: '40' },
    'warmup-s': { type: 'string', default: '120' },
  },
});
const MINUTES = Number(args.minutes);
const OVERLOAD = Number(args.overload);
const CALIBRATE_S = Number(args['calibrate-s']);
const WARMUP_S = Math.min(Number(args['warmup-s']), MINUTES * 30);

type Op = 'add' | 'search' | 'update' | 'delete';
const MIX: [Op, number][] = [['add', 0.3], ['search', 0.5], ['update', 0.1], ['delete', 0.1]];
const random = mulberry32(7);
const pickOp = (): Op => {
  let r = random();
  for (const [op, p] of MIX) if ((r -= p) < 0) return op;
  return 'search';
};

const root = mkdtempSync(join(tmpdir(), 'tusou-soak-'));
const server = await spawnServer(join(root, 'data'), { TUSOU_DETECTOR: args.detector, TUSOU_LOG_LEVEL: 'warn' });
const url = server.url;
const pictures = await Promise.all(Array.from({ length: 300 }, async (_, i) => (await scene(50_000 + i, { width: 480, height: 360 })).toString('base64')));
const present = new Set<number>();
let nextId = 0;

const post = (path: string, body: unknown, method = 'POST') => fetch(url + path, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** One request of kind `op`; resolves to how it was answered. */
async function request(op: Op): Promise<{ kind: string; ok: boolean }> {
  const any = () => [...present][Math.floor(random() * present.size)];
  let res: Response;
  switch (op) {
    case 'add': {
      const id = nextId++;
      res = await post('/api/v1/instances/soak/images', { productId: `p${id}`, picName: 'a.jpg', picture: pictures[id % pictures.length], intAttr: id % 100 });
      if (res.ok) present.add(id);
      break;
    }
    case 'search':
      res = await post('/api/v1/instances/soak/search', { picture: pictures[Math.floor(random() * pictures.length)], num: 10, filter: random() < 0.3 ? `int_attr<${Math.floor(random() * 100)}` : undefined });
      break;
    case 'update': {
      const id = any();
      if (id === undefined) return { kind: 'skipped', ok: true };
      res = await post(`/api/v1/instances/soak/images/p${id}/a.jpg`, { intAttr: Math.floor(random() * 100) }, 'PATCH');
      break;
    }
    case 'delete': {
      const id = any();
      if (id === undefined) return { kind: 'skipped', ok: true };
      present.delete(id);
      res = await fetch(`${url}/api/v1/instances/soak/images/p${id}/a.jpg`, { method: 'DELETE' });
      break;
    }
  }
  if (res.ok) {
    await res.arrayBuffer();
    return { kind: `${res.status}`, ok: true };
  }
  const text = await res.text();
  let code = '';
  try {
    code = (JSON.parse(text) as { error: { code: string } }).error.code;
  } catch {
    code = text.slice(0, 40);
  }
  return { kind: `${res.status} ${code}`, ok: false };
}

interface Stats { latencies: number[]; kinds: Map<string, number> }
const newStats = (): Record<Op, Stats> => Object.fromEntries(MIX.map(([op]) => [op, { latencies: [], kinds: new Map() }])) as unknown as Record<Op, Stats>;

async function timed(op: Op, stats: Record<Op, Stats>): Promise<boolean> {
  const t0 = performance.now();
  let r: { kind: string; ok: boolean };
  try {
    r = await request(op);
  } catch (err) {
    r = { kind: `network ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`, ok: false };
  }
  const s = stats[op];
  s.kinds.set(r.kind, (s.kinds.get(r.kind) ?? 0) + 1);
  if (r.ok && r.kind !== 'skipped') s.latencies.push(performance.now() - t0);
  return r.ok;
}

function rssMiB(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024;
}


async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

// -- setup: an instance with some images, so searches and deletes have something to work on
await post('/api/v1/instances', { name: 'soak' });
for (let i = 0; i < 100; i++) await request('add');
process.stderr.write(`server ${url}, ${present.size} images preloaded, detector ${args.detector}\n`);

// -- calibration: closed loop, 4 requests in flight, how many answers per second succeed
const calib = newStats();
let okCount = 0;
const calibEnd = performance.now() + CALIBRATE_S * 1000;
await Promise.all(Array.from({ length: 4 }, async () => {
  while (performance.now() < calibEnd) if (await timed(pickOp(), calib)) okCount++;
}));
const sustainable = okCount / CALIBRATE_S;
const rate = sustainable * OVERLOAD;
process.stderr.write(`sustainable ≈ ${sustainable.toFixed(1)} req/s; soaking at ${rate.toFixed(1)} req/s for ${MINUTES} min\n`);

// -- soak: open loop at `rate`, memory sampled every 10 s
const soak = newStats();
const samples: { s: number; rssMiB: number; inFlight: number; visionQueue: number; served: number }[] = [];
const inFlight = new Set<Promise<unknown>>();
let clientShed = 0;
let sent = 0;
const t0 = performance.now();
const endAt = t0 + MINUTES * 60_000;
const sampler = setInterval(() => {
  void Promise.all([metric('tusou_http_requests_in_flight'), metric('tusou_vision_queue_depth')]).then(([f, q]) => {
    samples.push({ s: Math.round((performance.now() - t0) / 1000), rssMiB: Math.round(rssMiB()), inFlight: f, visionQueue: q, served: sent });
    process.stderr.write(`${samples.at(-1)!.s}s rss ${samples.at(-1)!.rssMiB} MiB, in flight ${f}, vision queue ${q}, sent ${sent}\n`);
  }).catch(() => undefined);
}, 10_000);
while (performance.now() < endAt) {
  const due = t0 + (sent / rate) * 1000;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sent++;
  // The client itself keeps at most 512 requests open; beyond that the server is not answering at all.
  if (inFlight.size >= 512) {
    clientShed++;
    continue;
  }
  const p: Promise<unknown> = timed(pickOp(), soak).finally(() => inFlight.delete(p));
  inFlight.add(p);
}
await Promise.allSettled(inFlight);
clearInterval(sampler);
const final = { s: Math.round((performance.now() - t0) / 1000), rssMiB: Math.round(rssMiB()) };
server.child.kill('SIGTERM');
const exitCode = await server.exited;
rmSync(root, { recursive: true, force: true });

// -- report
const afterWarmup = samples.filter((x) => x.s >= WARMUP_S);
const base = afterWarmup[0]?.rssMiB ?? final.rssMiB;
const peak = Math.max(...afterWarmup.map((x) => x.rssMiB), final.rssMiB);
const growthPct = ((Math.max(final.rssMiB, afterWarmup.at(-1)?.rssMiB ?? 0) - base) / base) * 100;
console.log(`\nsustainable rate ${sustainable.toFixed(2)} req/s (closed loop, 4 in flight, ${CALIBRATE_S} s); soak at ${rate.toFixed(2)} req/s for ${MINUTES} min; ${sent} requests scheduled, ${clientShed} not sent (client cap)`);
console.log('\n| operation | answers | ok | p50 ms | p99 ms | answers by kind |\n|---|---|---|---|---|---|');
for (const [op] of MIX) {
  const s = soak[op];
  const total = [...s.kinds.values()].reduce((a, b) => a + b, 0);
  const kinds = [...s.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
  console.log(`| ${op} | ${total} | ${s.latencies.length} | ${percentile(s.latencies, 50).toFixed(0)} | ${percentile(s.latencies, 99).toFixed(0)} | ${kinds} |`);
}
const errors = new Map<string, number>();
for (const [, s] of Object.entries(soak)) for (const [k, n] of s.kinds) if (!/^2\d\d$/.test(k) && k !== 'skipped') errors.set(k, (errors.get(k) ?? 0) + n);
console.log('\n| error kind | count |\n|---|---|');
for (const [k, n] of [...errors].sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${n} |`);
console.log(`\n| time s | RSS MiB | in flight | vision queue |\n|---|---|---|---|`);
for (const x of samples.filter((_, i) => i % 3 === 0)) console.log(`| ${x.s} | ${x.rssMiB} | ${x.inFlight} | ${x.visionQueue} |`);
console.log(`\nRSS after warm-up (${WARMUP_S} s): ${base} MiB; peak ${peak} MiB; at the end ${final.rssMiB} MiB; growth ${growthPct.toFixed(1)} % (target < 10 %). Server exit after SIGTERM: ${exitCode}.`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/soak.json', JSON.stringify({
  minutes: MINUTES, overload: OVERLOAD, detector: args.detector, sustainable, rate, sent, clientShed,
  operations: Object.fromEntries(MIX.map(([op]) => [op, { ok: soak[op].latencies.length, p50: percentile(soak[op].latencies, 50), p99: percentile(soak[op].latencies, 99), kinds: Object.fromEntries(soak[op].kinds) }])),
  errors: Object.fromEntries(errors), samples, final, rssGrowthPct: growthPct, exitCode,
}, null, 1));
if (growthPct >= 10 || exitCode !== 0) process.exitCode = 1;
