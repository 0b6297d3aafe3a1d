// Long fuzz runs (fast-check) of the filter parser, the filter→SQL compiler, the Alibaba API's
// parameter parser and typed parameters, and picture decoding:
// npx tsx bench/fuzz.ts [--runs 100000] [--only rpc]. Prints cases, time and failures per property.

import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isTusouError, matchesFilter, parseFilter } from '../src/domain/index.js';
import { decodeImage } from '../src/imaging/index.js';
import { selectionToSql } from '../src/store/filter-sql.js';
import { mutation } from '../test/support/mutations.js';
import { attributes, evaluate, filterAst, filterLikeText, printFilter } from '../test/support/filter-arbitraries.js';
import { RPC_PARAM_PROPERTIES } from '../test/support/rpc-param-properties.js';
import { scene } from '../test/support/images.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, only: { type: 'string' } } });
const RUNS = Number(values.runs);
/** `--only rpc|filter|sql|decode` runs one group. */
const wanted = (group: string) => values.only === undefined || values.only === group;
const rows: { property: string; runs: number; seconds: number; failed: boolean; counterexample?: string }[] = [];

async function run(property: string, prop: fc.IRawProperty<unknown>, runs = RUNS) {
  const t0 = performance.now();
  const res = await fc.check(prop as fc.IAsyncProperty<unknown>, { numRuns: runs });
  rows.push({ property, runs: res.numRuns, seconds: (performance.now() - t0) / 1000, failed: res.failed, counterexample: res.failed ? JSON.stringify(res.counterexample).slice(0, 300) : undefined });
  process.stderr.write(`${property}: ${res.failed ? 'FAILED' : 'ok'}\n`);
}

if (wanted('rpc')) {
  for (const p of RPC_PARAM_PROPERTIES) await run(`rpc params: ${p.name}`, p.property());
}
if (wanted('filter')) {
  await run('parser: any text parses or fails with a FILTER_* code', fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), filterLikeText), (t) => {
    try { parseFilter(t); } catch (e) { if (!isTusouError(e, 'FILTER_SYNTAX', 'FILTER_INVALID')) throw e; }
  }));
  await run('parser: print → parse keeps the meaning', fc.property(filterAst, fc.array(attributes, { minLength: 1, maxLength: 8 }), (ast, as) => {
    const p = parseFilter(printFilter(ast));
    return as.every((a) => matchesFilter(p, a) === evaluate(ast, a));
  }));
}
const db = new Database(':memory:');
db.exec(`CREATE TABLE images (id INTEGER PRIMARY KEY, instance TEXT, int_attr INT, int_attr2 INT, int_attr3 INT, int_attr4 INT, str_attr TEXT, str_attr2 TEXT, str_attr3 TEXT, str_attr4 TEXT)`);
const insert = db.prepare(`INSERT INTO images VALUES (@id, 'i', @intAttr, @intAttr2, @intAttr3, @intAttr4, @strAttr, @strAttr2, @strAttr3, @strAttr4)`);
if (wanted('sql')) await run('SQL compiler agrees with the reference semantics', fc.property(filterAst, fc.array(attributes, { minLength: 1, maxLength: 12 }), (ast, rs) => {
  db.exec('DELETE FROM images');
  rs.forEach((r, id) => insert.run({ id, ...r }));
  const w = selectionToSql('i', { filter: ast });
  const got = db.prepare(`SELECT id FROM images WHERE ${w.sql} ORDER BY id`).pluck().all(...w.params) as number[];
  const want = rs.map((r, id) => (evaluate(ast, r) ? id : -1)).filter((id) => id >= 0);
  return JSON.stringify(got) === JSON.stringify(want);
}), Math.min(RUNS, 20000));
for (const format of wanted('decode') ? ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const : []) {
  const bytes = await scene(11, { format, width: 64, height: 48 });
  await run(`decode: mutated ${format}`, fc.asyncProperty(mutation(bytes), async (b) => {
    try { await decodeImage(b, { maxBytes: 4 << 20, minPx: 1, maxPx: 4096 }); } catch (e) { if (!isTusouError(e) || !e.code.startsWith('IMAGE_')) throw e; }
  }), Math.min(RUNS, 5000));
}

console.log('\n| property | cases | seconds | result |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.property} | ${r.runs} | ${r.seconds.toFixed(1)} | ${r.failed ? `FAILED ${r.counterexample}` : 'ok'} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/fuzz.json', JSON.stringify(rows, null, 1));
if (rows.some((r) => r.failed)) process.exitCode = 1;
