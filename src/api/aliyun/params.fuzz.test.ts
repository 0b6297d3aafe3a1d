// Property-based tests of the RPC parameter parser and the typed readers (fast-check); bench/fuzz.ts
// runs the same properties with ≥ 100,000 cases each.

import fc from 'fast-check';
import { test } from 'node:test';
import { RPC_PARAM_PROPERTIES } from '../../../test/support/rpc-param-properties.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

for (const p of RPC_PARAM_PROPERTIES) {
  test(p.name, () => {
    fc.assert(p.property(), { numRuns: RUNS });
  });
}
