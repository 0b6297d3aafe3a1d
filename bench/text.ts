// Text-search precision through the engine's public path (addImage, searchByText) on the labelled
// datasets: the query is a class name, relevant = images of that class. Two configurations:
// - "detector": only what tusou knows by itself (CenterNet COCO labels, category words); file names
//   are neutral ids and CustomContent is empty, so only classes the detector can name are findable;
// - "detector + manifest text": CustomContent filled from a manifest column that is NOT the class
//   (fashion: product_name; grocery: the product group, e.g. "Arla-Ecological-Medium-Fat-Milk").
//   Caltech has no such column (its only text is the class itself), so it has no second row.
// Semantic (CLIP) text search is not measured: no real CLIP model can be fetched here.
// Usage: tsx bench/text.ts --data /work/shared/datasets [--per-class 8] [--out bench/results/text.json]

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, 'per-class': { type: 'string', default: '8' }, out: { type: 'string', default: 'bench/results/text.json' } } });
if (!args.data) {
  console.error('usage: tsx bench/text.ts --data /work/shared/datasets [--per-class N]');
  process.exit(2);
}
const perClass = Number(args['per-class']);

interface Item { file: string; cls: string; text: string }
interface SetSpec { name: string; classCol: string; textCol?: string; filter?: (r: Record<string, string>) => boolean }
const SETS: SetSpec[] = [
  { name: 'caltech101', classCol: 'label' },
  { name: 'fashion_products', classCol: 'group', textCol: 'product_name' },
  { name: 'grocery_store', classCol: 'coarse', textCol: 'group' },
];

function load(spec: SetSpec): Item[] {
  const [head, ...lines] = readFileSync(join(args.data!, spec.name, 'manifest.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  // Manifest fields hold no quoted commas in these three sets' used columns except product_name.
  const rows = lines.map((l) => {
    const parts = l.split(',');
    const r: Record<string, string> = Object.fromEntries(cols.map((c, i) => [c, parts[i]]));
    if (spec.name === 'fashion_products') r.product_name = parts.slice(7, parts.length - 2).join(',');
    return r;
  });
  const byClass = new Map<string, Item[]>();
  for (const r of rows) {
    const cls = r[spec.classCol];
    const list = byClass.get(cls) ?? [];
    if (list.length < perClass) list.push({ file: join(args.data!, spec.name, r.file), cls, text: spec.textCol ? r[spec.textCol].replace(/-/g, ' ') : '' });
    byClass.set(cls, list);
  }
  return [...byClass.values()].flat();
}

const query = (cls: string) => cls.replace(/[_-]+/g, ' ');

const dir = mkdtempSync(join(tmpdir(), 'tusou-bench-text-'));
const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent', TUSOU_DETECTOR: 'centernet', TUSOU_VISION_WORKERS: '2' }));
const rows: Record<string, string | number>[] = [];
const perQuery: Record<string, unknown>[] = [];
try {
  for (const spec of SETS) {
    const items = load(spec);
    const configs = spec.textCol ? ['detector', 'detector + manifest text'] : ['detector'];
    const instances = configs.map((c, i) => `${spec.name.slice(0, 12)}${i}`);
    for (const name of instances) await engine.createInstance({ name });
    let i = 0;
    for (const it of items) {
      const bytes = readFileSync(it.file);
      const id = `img${i++}`;
      // Same picture, same detection; the second configuration also carries the manifest text.
      const added = await engine.addImage(instances[0], { productId: it.cls, picName: `${id}.jpg`, bytes });
      if (instances[1]) await engine.addImage(instances[1], { productId: it.cls, picName: `${id}.jpg`, bytes, customContent: it.text, region: added.image.region });
    }
    const classes = [...new Set(items.map((it) => it.cls))];
    for (const [ci, config] of configs.entries()) {
      let sumP10 = 0;
      let sumAP = 0;
      let answered = 0;
      for (const cls of classes) {
        const relevant = items.filter((it) => it.cls === cls).length;
        const res = await engine.searchByText(instances[ci], { text: query(cls), num: 100 });
        const ranked = res.hits.map((h) => h.image.productId === cls);
        const p10 = ranked.slice(0, 10).filter(Boolean).length / Math.min(10, relevant);
        let hits = 0;
        let ap = 0;
        ranked.forEach((rel, k) => { if (rel) { hits++; ap += hits / (k + 1); } });
        ap /= relevant;
        if (res.hits.length) answered++;
        sumP10 += p10;
        sumAP += ap;
        perQuery.push({ set: spec.name, config, query: query(cls), returned: res.docsFound, p10: +p10.toFixed(3), ap: +ap.toFixed(3) });
      }
      rows.push({
        set: spec.name, config, images: items.length, queries: classes.length,
        'queries with any hit': answered, 'P@10 (relative)': +(sumP10 / classes.length).toFixed(3), mAP: +(sumAP / classes.length).toFixed(3),
      });
    }
  }
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ at: new Date().toISOString(), perClass, rows, perQuery }, null, 1));
