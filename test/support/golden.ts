// Golden files for API envelopes: compare a value with test/golden/<name>.json; regenerate with
// UPDATE_GOLDEN=1 (then review the diff). A missing golden file fails instead of being created.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Assert `value` equals the golden file `<name>.json` (or rewrite it under UPDATE_GOLDEN=1). */
export function assertGolden(name: string, value: unknown): void {
  const file = join(ROOT, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `golden file ${name}.json is missing; run UPDATE_GOLDEN=1 npm test and review it`);
  assert.deepEqual(value, JSON.parse(readFileSync(file, 'utf8')), `response differs from golden ${name}.json (UPDATE_GOLDEN=1 to accept)`);
}

/** Read a golden file back. */
export function readGolden(name: string): unknown {
  return JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8'));
}
