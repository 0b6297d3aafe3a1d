// Benchmark datasets: any folder with a manifest.csv (`file,group[,…]`), and the protocol its
// README defines, recognised from the manifest's columns (or, for UKBench, the folder name).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './csv.js';

/**
 * - `ukbench`: every image against all (itself included) plus distractors, N-S score;
 * - `catalog`: natural photos against the iconic catalogue images (grocery_store);
 * - `multiview`: query views against model views plus distractors (coil100_pairs);
 * - `pool`: every group unique: copy-detection sources and distractors;
 * - `category`: every image against all others, relevant = same group (mAP).
 */
export type Protocol = 'ukbench' | 'catalog' | 'multiview' | 'pool' | 'category';

export interface Item {
  dataset: string;
  /** Index in the manifest; with the dataset name, the image's key in the benchmark instance. */
  index: number;
  path: string;
  group: string;
  columns: Record<string, string>;
}

export interface Dataset {
  name: string;
  protocol: Protocol;
  items: Item[];
}

function protocolOf(name: string, rows: Record<string, string>[]): Protocol {
  const values = (col: string) => new Set(rows.map((r) => r[col]));
  if (rows[0].role !== undefined && values('role').has('model') && values('role').has('query')) return 'multiview';
  if (rows[0].kind !== undefined && values('kind').has('natural') && values('kind').has('iconic')) return 'catalog';
  if (/ukbench/i.test(name)) return 'ukbench';
  if (values('group').size === rows.length) return 'pool';
  return 'category';
}

/** Every dataset under `dir` (folders with a manifest.csv), in name order. @throws Error naming a bad manifest */
export function loadDatasets(dir: string): Dataset[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'manifest.csv')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const rows = parseCsv(readFileSync(join(dir, name, 'manifest.csv'), 'utf8'));
      if (rows.length === 0 || rows[0].file === undefined || rows[0].group === undefined) {
        throw new Error(`${name}/manifest.csv needs the columns file and group`);
      }
      const items = rows.map((r, index) => ({ dataset: name, index, path: join(dir, name, r.file), group: r.group, columns: r }));
      return { name, protocol: protocolOf(name, rows), items };
    });
}
