// The layering rule of STYLE.md §2, enforced: every relative import under src/ must follow an
// allowed edge, and crossing into another area goes through that area's index.ts.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');

/** Which areas each area may import (besides itself). `api` may use imaging's pure helpers (base64, drawing). */
const ALLOWED: Record<string, string[]> = {
  domain: [],
  config: ['domain'],
  imaging: ['domain'],
  vision: ['imaging', 'domain'],
  index: ['domain'],
  store: ['domain'],
  engine: ['imaging', 'vision', 'index', 'store', 'domain'],
  api: ['engine', 'imaging', 'domain'],
  cli: ['app', 'config', 'engine', 'domain'],
  app: ['api', 'config', 'engine', 'imaging', 'vision', 'index', 'store', 'domain'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const areaOf = (file: string) => relative(SRC, file).split(sep)[0].replace(/\.ts$/, '');

test('imports under src/ follow the dependency direction and enter other areas through index.ts', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = areaOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
      const to = areaOf(target);
      if (to === from) continue;
      const rel = relative(SRC, file);
      if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${rel}: ${from} must not import ${to} (${m[1]})`);
      else if (!['config', 'app'].includes(to) && relative(join(SRC, to), target) !== 'index.ts') {
        violations.push(`${rel}: import ${to} through ${to}/index.ts, not ${m[1]}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
