// CPU profile of search by picture (with and without Crop) on real photos: runs the searches
// under the V8 sampling profiler of the main thread and of every vision worker (`--cpu-prof`
// applies to worker threads too) and prints where the time went, by function (self time) and by
// file, per thread.
//   npx tsx bench/profile.ts --data /work/shared/datasets [--descriptor ID] [--queries 20] [--crop true|false]
// The raw .cpuprofile files stay in --dir (open them in Chrome DevTools → Performance).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { evenSpread, photoFiles } from './lib/photos.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' }, descriptor: { type: 'string', default: 'mnv2mid-gap1792@1' }, queries: { type: 'string', default: '20' },
    crop: { type: 'string', default: 'true' }, dir: { type: 'string' }, child: { type: 'boolean', default: false },
  },
});
if (!args.data) {
  process.stderr.write('usage: npx tsx bench/profile.ts --data <datasets dir> [--descriptor ID] [--queries N] [--crop true|false] [--dir DIR]\n');
  process.exit(2);
}

if (args.child) {
  // The profiled process: a fresh engine, 40 photos added, then the searches.
  const { openEngine } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const all = photoFiles(args.data);
  const dir = mkdtempSync(join(tmpdir(), 'tusou-profile-'));
  const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent', TUSOU_VISION_WORKERS: '1' }));
  try {
    await engine.createInstance({ name: 'p', serviceType: 'product', descriptor: args.descriptor });
    for (const [i, f] of evenSpread(all, 40).entries()) await engine.addImage('p', { productId: `p${i}`, picName: 'a', bytes: readFileSync(f), crop: false });
    const crop = args.crop !== 'false';
    const totals: number[] = [];
    for (const f of evenSpread(all, Number(args.queries), 7)) totals.push((await engine.searchByPicture('p', { bytes: readFileSync(f), crop, num: 10 })).timings.total);
    totals.sort((a, b) => a - b);
    process.stdout.write(`${totals.length} searches (Crop=${crop}), p50 ${totals[Math.floor(totals.length / 2)].toFixed(0)} ms\n`);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'tusou-cpuprof-'));
  mkdirSync(dir, { recursive: true });
  const self = new URL(import.meta.url).pathname;
  process.stdout.write(execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', self, '--child', '--data', args.data,
    '--descriptor', args.descriptor, '--queries', args.queries, '--crop', args.crop], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const fn = new Map<string, number>();
    const byFile = new Map<string, number>();
    let total = 0;
    prof.samples.forEach((id, i) => {
      const dt = prof.timeDeltas[i] / 1000;
      const n = byId.get(id)!;
      const { functionName, url, lineNumber } = n.callFrame;
      if (functionName === '(idle)') return;
      total += dt;
      const where = url ? url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/') : '';
      fn.set(`${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`, (fn.get(`${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`) ?? 0) + dt);
      const pkg = where.startsWith('src/') || where.startsWith('bench/') ? where : where.split('/').slice(0, where.startsWith('@') ? 2 : 1).join('/') || functionName;
      byFile.set(pkg, (byFile.get(pkg) ?? 0) + dt);
    });
    const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${v.toFixed(0)} | ${((100 * v) / total).toFixed(1)} % |`).join('\n');
    process.stdout.write(`\n### ${basename(file)}: ${total.toFixed(0)} ms busy\n\n| package or file | ms | share |\n|---|---|---|\n${top(byFile, 8)}\n\n| function (self time) | ms | share |\n|---|---|---|\n${top(fn, 10)}\n`);
  }
  process.stdout.write(`\nprofiles in ${dir}\n`);
}
