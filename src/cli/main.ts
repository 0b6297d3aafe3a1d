// The `tusou` command line. `serve` starts the server; the other commands open the data
// directory directly (the server must not be running on it at the same time).

import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createApp, openEngine, pullModel, userModels, type OpenOptions } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { formatRegion, isTusouError } from '../domain/index.js';
import { DEFAULT_THUMBNAIL_PX, type Engine } from '../engine/index.js';
import { contactSheetHtml } from './contact-sheet.js';
import { importFolder, type KeyScheme } from './import-folder.js';

const program = new Command('tusou')
  .description('self-hosted image search')
  .option('--data-dir <dir>', 'data directory (TUSOU_DATA_DIR, default ./data)')
  .showHelpAfterError();

function config(extra: Record<string, string | undefined> = {}): Config {
  const g = program.opts<{ dataDir?: string }>();
  const overrides = Object.fromEntries(Object.entries({ TUSOU_DATA_DIR: g.dataDir, ...extra }).filter(([, v]) => v !== undefined));
  return loadConfig(process.env, overrides);
}

/**
 * Run `fn` with an engine on the data directory, closing it afterwards. A short command runs no
 * queue worker of its own (with PostgreSQL it would take jobs from the servers' queue and hand
 * them back at exit) unless `opts` asks for some.
 */
async function withEngine<T>(fn: (engine: Engine) => Promise<T>, opts: OpenOptions = { ingestWorkers: 0 }): Promise<T> {
  const { engine } = await openEngine(config({ TUSOU_LOG_LEVEL: process.env.TUSOU_LOG_LEVEL ?? 'warn' }), undefined, opts);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};

program.command('serve')
  .description('start the server (REST API under /api/v1)')
  .option('--host <host>', 'address to listen on (TUSOU_HOST, default 127.0.0.1)')
  .option('--port <port>', 'port (TUSOU_PORT, default 8080)')
  .action(async (o: { host?: string; port?: string }) => {
    const app = await createApp(config({ TUSOU_HOST: o.host, TUSOU_PORT: o.port }));
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      await app.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.stdout.write(`tusou is serving at ${app.server?.url}/  (Alibaba-compatible API: POST /, REST API: ${app.server?.url}/api/v1, OpenAPI: ${app.server?.url}/api/v1/openapi.json)\n`);
  });

program.command('worker')
  .description('run ingestion queue workers only (PostgreSQL store): imports and IncreaseInstance batches sent by any node')
  .option('--workers <n>', 'jobs at once (TUSOU_INGEST_WORKERS, default 1)', int)
  .action(async (o: { workers?: number }) => {
    const c = config();
    if (c.store.kind !== 'postgres') throw new ConfigError('TUSOU_STORE', 'a postgres:// URL for tusou worker (with SQLite, tusou serve runs the workers)', 'sqlite');
    const { engine, log } = await openEngine(c, undefined, { ingestWorkers: o.workers ?? Math.max(1, c.ingest.workers), openIndexes: 'lazy' });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'worker shutting down');
      await engine.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    log.info({ workers: o.workers ?? Math.max(1, c.ingest.workers) }, 'tusou worker is running');
  });

const instance = program.command('instance').description('manage instances');
instance.command('create <name>')
  .option('--service-type <type>', 'product, generic or face', 'generic')
  .option('--descriptor <id>', 'feature descriptor')
  .option('--metric <metric>', 'cosine, l2, l1, hamming or jaccard')
  .option('--index <spec>', 'flat or hnsw:m=16,efc=100,ef=100')
  .option('--capacity <n>', 'maximum number of images', int)
  .option('--reranker <id>', 'verify the first candidates with local features, e.g. orb-ransac@1; none for none (default: generic orb-ransac-top8@1, product none)')
  .action((name: string, o: { serviceType: string; descriptor?: string; metric?: string; index?: string; capacity?: number; reranker?: string }) => withEngine(async (e) => {
    const i = await e.createInstance({ name, ...o });
    process.stdout.write(`created ${i.name} (${i.serviceType}, ${i.descriptor}, ${i.metric}, ${i.index})\n`);
  }));
instance.command('list').action(() => withEngine(async (e) => {
  for (const i of await e.listInstances()) {
    process.stdout.write(`${i.name}\t${i.serviceType}\t${i.imageCount}/${i.capacity} images\t${i.descriptor}\t${i.metric}\t${i.index}\n`);
  }
}));
instance.command('delete <name>').action((name: string) => withEngine(async (e) => {
  await e.deleteInstance(name);
  process.stdout.write(`deleted ${name}\n`);
}));

program.command('reindex <instance>')
  .description('describe every image again from its kept original (new descriptor, metric or index)')
  .option('--descriptor <id>', 'feature descriptor')
  .option('--metric <metric>', 'cosine, l2, l1, hamming or jaccard')
  .option('--index <spec>', 'flat or hnsw:m=16,efc=100,ef=100')
  .action((name: string, o: { descriptor?: string; metric?: string; index?: string }) => withEngine(async (e) => {
    const res = await e.reindex(name, o, (done, total) => process.stderr.write(`\rreindexing ${done}/${total}`));
    process.stderr.write('\n');
    process.stdout.write(`reindexed ${res.instance.name}: ${res.images} images (${res.instance.descriptor}, ${res.instance.metric}, ${res.instance.index}), ${res.failed.length} failed\n`);
    for (const f of res.failed) process.stdout.write(`  ${f.productId}/${f.picName}: ${f.reason}\n`);
  }));

program.command('check')
  .description('verify store, indexes and kept originals agree (exit 4 when not)')
  .option('--repair', 'fix what can be fixed: index entries, missing vectors, orphaned originals')
  .action((o: { repair?: boolean }) => withEngine(async (e) => {
    if (e.recovery) {
      process.stdout.write(`the last run ended without a clean shutdown: removed ${e.recovery.orphanedOriginals} unreferenced originals and ${e.recovery.leftovers} temporary files of interrupted writes\n`);
    }
    const r = await e.check({ repair: Boolean(o.repair) });
    for (const c of r.instances) {
      process.stdout.write(`${c.instance}: ${c.images} images, ${c.indexed} indexed; ${c.missingFromIndex} missing from the index, ${c.extraInIndex} extra in the index, ${c.withoutVector} without a vector, ${c.missingOriginals.length} originals missing\n`);
      for (const k of c.missingOriginals) process.stdout.write(`  original missing: ${k.productId}/${k.picName}\n`);
    }
    process.stdout.write(`${r.orphanedOriginals} orphaned originals\n${r.ok ? 'ok' : r.repaired ? 'repaired what could be repaired' : 'problems found (run with --repair)'}\n`);
    if (!r.ok && !r.repaired) process.exitCode = 4;
  }));

program.command('add <instance> <file>')
  .description('add one picture')
  .requiredOption('--product-id <id>', 'ProductId')
  .option('--pic-name <name>', 'PicName (default: the file name)')
  .option('--category-id <id>', 'category id')
  .option('--region <x1,x2,y1,y2>', 'describe this box')
  .option('--int-attr <n>').option('--int-attr2 <n>').option('--int-attr3 <n>').option('--int-attr4 <n>')
  .option('--str-attr <s>').option('--str-attr2 <s>').option('--str-attr3 <s>').option('--str-attr4 <s>')
  .option('--custom-content <text>')
  .action((inst: string, file: string, o: Record<string, string | undefined>) => withEngine(async (e) => {
    const res = await e.addImage(inst, { ...o, productId: o.productId, picName: o.picName ?? basename(file), bytes: await readFile(file) });
    process.stdout.write(`${res.replaced ? 'replaced' : 'added'} ${res.image.productId}/${res.image.picName} (category ${res.image.categoryId}, region ${formatRegion(res.image.region)})\n`);
  }));

program.command('import <instance> <dir>')
  .description('add every picture under a folder (resumable: unchanged pictures are skipped)')
  .option('--keys <scheme>', 'folder: ProductId = sub-folder, PicName = file name; file: ProductId = relative path', 'folder')
  .option('--concurrency <n>', 'ingestion workers in this process (with PostgreSQL, 0 leaves the work to the servers\' workers)', int, 2)
  .option('--overwrite', 're-add pictures that are already stored')
  .option('--report <file>', 'write the failures as JSON')
  .action((inst: string, dir: string, o: { keys: KeyScheme; concurrency: number; overwrite?: boolean; report?: string }) => withEngine(async (e) => {
    const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} {percentage}% eta {eta}s', stream: process.stderr, noTTYOutput: false });
    let started = false;
    const report = await importFolder(e, inst, dir, {
      keys: o.keys, overwrite: Boolean(o.overwrite),
      onProgress: (done, total) => {
        if (!started) { bar.start(total, 0); started = true; }
        bar.update(done);
      },
    });
    if (started) bar.stop();
    process.stdout.write(`${report.total} pictures: ${report.added} added, ${report.replaced} replaced, ${report.skipped} unchanged, ${report.failed.length} failed\n`);
    for (const f of report.failed) process.stdout.write(`  ${f.file}: ${f.code} ${f.message}\n`);
    if (o.report) await import('node:fs/promises').then((fs) => fs.writeFile(o.report as string, JSON.stringify(report, null, 2)));
    if (report.failed.length) process.exitCode = 3;
  }, { ingestWorkers: Math.max(0, o.concurrency), openIndexes: 'lazy' }));

program.command('search <instance> <image>')
  .description('search by picture')
  .option('--num <n>', 'results (1..100)', '10')
  .option('--start <n>', 'offset', '0')
  .option('--filter <expr>', 'filter expression')
  .option('--category-id <id>', 'category')
  .option('--no-crop', 'describe the whole picture')
  .option('--region <x1,x2,y1,y2>', 'describe this box')
  .option('--json', 'print JSON')
  .option('--html <file>', 'also write a self-contained contact sheet: the query with its regions drawn and the hits as thumbnails')
  .action((inst: string, image: string, o: { num: string; start: string; filter?: string; categoryId?: string; crop: boolean; region?: string; json?: boolean; html?: string }) => withEngine(async (e) => {
    const bytes = await readFile(image);
    const res = await e.searchByPicture(inst, { ...o, bytes });
    if (o.html) {
      const html = contactSheetHtml({
        instance: inst, queryName: basename(image), createdAt: new Date(),
        // 1024 px keeps the page light; the boxes are scaled with the picture.
        queryPng: (await e.annotateQuery(bytes, res.query, { maxPx: 1024 })).png,
        region: res.query.region, categoryId: res.query.categoryId, docsFound: res.docsFound,
        hits: await Promise.all(res.hits.map(async (h) => ({
          productId: h.image.productId, picName: h.image.picName, categoryId: h.image.categoryId, score: h.score,
          customContent: h.image.customContent, thumbnail: await e.thumbnail(inst, h.image, DEFAULT_THUMBNAIL_PX),
        }))),
      });
      await writeFile(o.html, html);
      process.stderr.write(`wrote ${o.html}\n`);
    }
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ docsFound: res.docsFound, query: res.query, hits: res.hits.map((h) => ({ productId: h.image.productId, picName: h.image.picName, score: h.score })) }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${res.docsFound} candidates; query region ${formatRegion(res.query.region)}, category ${res.query.categoryId}\n`);
    res.hits.forEach((h, i) => process.stdout.write(`${String(i + 1).padStart(3)}  ${h.score.toFixed(4)}  ${h.image.productId}  ${h.image.picName}\n`));
  }));

program.command('search-text <instance> <text>')
  .description('search by text (detected objects, categories, names, custom content, attributes)')
  .option('--num <n>', 'results (1..100)', '10')
  .option('--filter <expr>', 'filter expression')
  .action((inst: string, text: string, o: { num: string; filter?: string }) => withEngine(async (e) => {
    const res = await e.searchByText(inst, { text, ...o });
    process.stdout.write(`${res.docsFound} matches\n`);
    res.hits.forEach((h, i) => process.stdout.write(`${String(i + 1).padStart(3)}  ${h.score.toFixed(4)}  ${h.image.productId}  ${h.image.picName}\n`));
  }));

program.command('export <instance>')
  .description('write every image record as NDJSON')
  .option('--out <file>', 'output file (default: stdout)')
  .action((inst: string, o: { out?: string }) => withEngine(async (e) => {
    const out = o.out ? createWriteStream(o.out) : process.stdout;
    let n = 0;
    for await (const r of e.exportImages(inst)) {
      const { label: _label, ...record } = r;
      out.write(`${JSON.stringify(record)}\n`);
      n++;
    }
    if (o.out) await new Promise((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
    process.stderr.write(`exported ${n} images\n`);
  }));

const models = program.command('models').description('user-provided CLIP-style ONNX models (semantic text search); nothing is downloaded unless you run `models pull`');
models.command('add <name>')
  .description('register a model from a local folder (ONNX image + text encoders and tokenizer.json, e.g. the files of a CLIP ONNX export); its files are copied into the data directory')
  .requiredOption('--dir <dir>', 'folder with onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json (and tokenizer_config.json, preprocessor_config.json)')
  .option('--image-model <file>', 'image encoder, relative to --dir (default: the usual export names)')
  .option('--text-model <file>', 'text encoder, relative to --dir')
  .option('--replace', 'replace a model of the same name (new version; its instances are re-described at the next start)')
  .action(async (name: string, o: { dir: string; imageModel?: string; textModel?: string; replace?: boolean }) => {
    const m = await userModels(config()).add(name, o.dir, { imageModel: o.imageModel, textModel: o.textModel, replace: Boolean(o.replace) });
    process.stdout.write(`registered ${m.name} v${m.version}: descriptor ${m.descriptor} (${m.dim}-d, ${m.imageSize} px input)\ncreate an instance with: tusou instance create NAME --descriptor ${m.descriptor}\n`);
  });
models.command('list').action(() => {
  for (const m of userModels(config()).info()) process.stdout.write(`${m.name}\tv${m.version}\t${m.descriptor}\t${m.dim}-d\t${m.source}\n`);
});
models.command('remove <name>')
  .description('delete a registered model (instances using it then need a reindex with another descriptor)')
  .action((name: string) => {
    userModels(config()).remove(name);
    process.stdout.write(`removed ${name}\n`);
  });
models.command('pull <name>')
  .description('DOWNLOAD a model (explicit opt-in): from a Hugging Face repository such as Xenova/clip-vit-base-patch32, or a base URL serving the same file layout; then register it')
  .requiredOption('--from <repo-or-url>', 'Hugging Face repo id, or an http(s) base URL')
  .option('--revision <rev>', 'repository revision', 'main')
  .option('--replace', 'replace a model of the same name')
  .action(async (name: string, o: { from: string; revision: string; replace?: boolean }) => {
    const dir = await mkdtemp(join(tmpdir(), 'tusou-pull-'));
    try {
      await pullModel(o.from, dir, { revision: o.revision, log: (line) => process.stderr.write(`${line}\n`) });
      const m = await userModels(config()).add(name, dir, { replace: Boolean(o.replace) });
      process.stdout.write(`registered ${m.name} v${m.version}: descriptor ${m.descriptor} (${m.dim}-d)\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

const keys = program.command('keys').description('access keys: they sign Alibaba-compatible requests and authenticate REST calls and the console');
keys.command('create')
  .description('create a key; its secret is printed once and never again')
  .option('--description <text>', 'what the key is for')
  .option('--instances <names>', 'comma-separated instances the key may use (default: all, and managing instances)')
  .option('--read-only', 'the key may search and read, never add, change or delete')
  .option('--qps <n>', 'requests per second for this key (default: TUSOU_QPS_PER_KEY)', int)
  .option('--json', 'print JSON')
  .action((o: { description?: string; instances?: string; readOnly?: boolean; qps?: number; json?: boolean }) => withEngine(async (e) => {
    const k = await e.createAccessKey({
      description: o.description,
      instances: o.instances === undefined ? undefined : o.instances.split(',').map((n) => n.trim()),
      readOnly: o.readOnly, qps: o.qps,
    });
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ accessKeyId: k.id, accessKeySecret: k.secret, description: k.description, instances: k.instances, readOnly: k.readOnly ?? false, qps: k.qps })}\n`);
      return;
    }
    process.stdout.write(`AccessKeyId:     ${k.id}\nAccessKeySecret: ${k.secret}\nScope:           ${scopeText(k) || 'unrestricted'}\n(the secret is shown only now; store it safely)\n`);
  }));

/** What a key may do, in words ('' when unrestricted). */
function scopeText(k: { instances?: readonly string[]; readOnly?: boolean; qps?: number }): string {
  const parts: string[] = [];
  if (k.instances) parts.push(`instances ${k.instances.join(',')}`);
  if (k.readOnly) parts.push('read-only');
  if (k.qps !== undefined) parts.push(`${k.qps} QPS`);
  return parts.join('; ');
}
keys.command('list')
  .description('list keys (never their secrets)')
  .action(() => withEngine(async (e) => {
    const boot = config().accessKey;
    if (boot) process.stdout.write(`${boot.id}\tactive\t(bootstrap key from TUSOU_ACCESS_KEY_ID)\n`);
    for (const k of await e.listAccessKeys()) {
      const state = k.revokedAt === undefined ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`;
      const scope = scopeText(k);
      process.stdout.write(`${k.id}\t${state}\tcreated ${new Date(k.createdAt).toISOString()}\t${k.description}${scope ? `\t${scope}` : ''}\n`);
    }
  }));
keys.command('revoke <id>')
  .description('revoke a key at once (the bootstrap key is revoked by removing it from the configuration)')
  .action((id: string) => withEngine(async (e) => {
    await e.revokeAccessKey(id);
    process.stdout.write(`revoked ${id}\n`);
  }));

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`tusou: ${err.message}\n`);
  else if (isTusouError(err)) process.stderr.write(`tusou: ${err.code}: ${err.message}\n`);
  else process.stderr.write(`tusou: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = isTusouError(err) || err instanceof ConfigError ? 2 : 1;
});
