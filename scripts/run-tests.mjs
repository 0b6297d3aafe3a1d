#!/usr/bin/env node
// Runs the test suite: every *.test.ts under src/, test/ and bench/ (Node 20's runner does not find
// .ts files itself), through tsx. Arguments narrow the set: `npm test -- filter search`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = [...find('src'), ...find('test'), ...find('bench')].sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env: { ...process.env, TUSOU_LOG_LEVEL: process.env.TUSOU_LOG_LEVEL ?? 'silent' } });
process.exit(res.status ?? 1);
