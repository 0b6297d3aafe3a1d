// Child process of bench/knn.ts: open one instance's collection from its snapshot and report the
// time and the memory it took. Usage: tsx bench/knn-startup.ts DATA_DIR INSTANCE
import { join } from 'node:path';
import { IndexRegistry } from '../src/engine/index.js';
import { SqliteStore } from '../src/store/index.js';

const [dir, name] = process.argv.slice(2);
const t0 = performance.now();
const store = new SqliteStore(join(dir, 'tusou.db'));
const instance = await store.getInstance(name);
if (!instance) throw new Error(`no instance ${name} in ${dir}`);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const registry = new IndexRegistry(store, join(dir, 'indexes'), Number.MAX_SAFE_INTEGER, () => 0);
const { report } = await registry.prepare(instance);
report.ms = performance.now() - t0;
global.gc?.();
const rssAfter = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ totalMs: performance.now() - t0, openMs: report.ms, source: report.source, catchUp: report.catchUp, rssBefore, rssAfter }));
await store.close();
