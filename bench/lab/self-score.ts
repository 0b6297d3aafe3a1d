// One-off: the score SearchImageByName gives the query image itself on a product instance with
// the defaults (query expansion and augmentation make it the similarity to an expanded query,
// not 1), and whether it still comes first. An even 60-picture sample of Caltech-101.
//   npx tsx bench/lab/self-score.ts [datasets dir]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loadDatasets } from '../lib/datasets.js';

const data = process.argv[2] ?? '/work/shared/datasets';
const ds = loadDatasets(data).find((d) => d.name === 'caltech101')!;
const sample = Array.from({ length: 60 }, (_, i) => ds.items[Math.floor((i * ds.items.length) / 60)]);
const dir = mkdtempSync(join(tmpdir(), 'tusou-self-'));
const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent' }));
try {
  const created = await engine.createInstance({ name: 'shop', serviceType: 'product' });
  for (const it of sample) await engine.addImage('shop', { productId: `p${it.index}`, picName: 'a.jpg', bytes: readFileSync(it.path), categoryId: 0, crop: false });
  const scores: number[] = [];
  let first = 0;
  for (const it of sample) {
    const r = await engine.searchByImage('shop', { productId: `p${it.index}`, picName: 'a.jpg' }, { num: 5, categoryId: 0 });
    if (r.hits[0]?.image.productId === `p${it.index}`) first++;
    scores.push(r.hits.find((h) => h.image.productId === `p${it.index}`)?.score ?? NaN);
  }
  scores.sort((a, b) => a - b);
  console.log(`${created.index}: itself first ${first}/${sample.length}; its score min ${scores[0].toFixed(3)}, median ${scores[30].toFixed(3)}, max ${scores[59].toFixed(3)}`);
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
