#!/usr/bin/env node
// Runs the test suite: every *.test.ts under src/, test/ and bench/ (Node 20's runner does not find
// .ts files itself), through tsx. Arguments narrow the set: `npm test -- filter search`.
// With TUSOU_TEST_PG_URL=postgres://… set, the files that run a tusou server or engine
// (startTestServer, spawnServer, runCli, openTestStorage, testStoreEnv) run a second time with
// TUSOU_TEST_STORE=postgres: the same tests, each server on its own schema of that database.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
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

function run(list, env) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...list], {
    // New instances default to the colour histogram in tests (servers, engines and CLI
    // subprocesses alike): the deep defaults would load a CNN into every test process. The tests
    // of the defaults set TUSOU_DEFAULT_DESCRIPTOR (and TUSOU_DEFAULT_RERANKER, off here: ORB on every
    // add) to '' to get them.
    stdio: 'inherit', env: { ...process.env, TUSOU_LOG_LEVEL: process.env.TUSOU_LOG_LEVEL ?? 'silent', TUSOU_DEFAULT_DESCRIPTOR: process.env.TUSOU_DEFAULT_DESCRIPTOR ?? 'colour-hist-rgb512@1', TUSOU_DEFAULT_RERANKER: process.env.TUSOU_DEFAULT_RERANKER ?? 'none', ...env },
  });
  return res.status ?? 1;
}

const usesStore = (f) => /\b(startTestServer|spawnServer|runCli|openTestStorage|testStoreEnv)\b/.test(readFileSync(f, 'utf8'));
let status = run(files, { TUSOU_TEST_STORE: 'sqlite' });
const pgUrl = process.env.TUSOU_TEST_PG_URL;
const matrix = files.filter(usesStore);
if (pgUrl && matrix.length) {
  console.log(`\n== the same ${matrix.length} store-dependent test files on PostgreSQL (TUSOU_TEST_PG_URL)\n`);
  status = run(matrix, { TUSOU_TEST_STORE: 'postgres' }) || status;
  // Schemas of tests that removed their data directory without closing a server.
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/drop-test-schemas.ts'], { stdio: 'inherit' });
}
process.exit(status);
