// Face verification through the engine's public path (a face instance: addImage, searchByPicture,
// searchByImage), on every labelled face the shipped samples and the shared data allow:
// - caltech-faces: the 20 "Faces" images of /work/shared/datasets/caltech101 (needs --data),
//   identities labelled by hand (3 people photographed 4, 2 and 2 times; the rest once);
// - facematch: tiles of @vladmandic/human's facematch sheet, hand-labelled (test/support/demo-photos.ts);
// - samples: every face of face-api's 6 group photos; no person was seen twice with certainty,
//   so cross-photo pairs are negatives (2 unsure pairs left out), and positives are synthetic
//   re-photographed copies of each face (mirrored, 60 %, brighter, JPEG 80), reported apart.
// A pair is accepted when the calibrated score is ≥ 0.5. Prints a table, writes JSON.
// Usage: tsx bench/face.ts [--data /work/shared/datasets] [--out bench/results/face.json]

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { openEngine } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { isTusouError, type Box } from '../src/domain/index.js';
import type { Engine } from '../src/engine/index.js';
import { FACEMATCH_OTHERS, FACEMATCH_SAME_MAN, demoPhoto, facematchTile, type DemoPhotoName } from '../test/support/demo-photos.js';
import { iou } from '../src/vision/detectors/regions.js';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string', default: 'bench/results/face.json' } } });

// Caltech-101 "Faces" in the shared part, by the number in the file name; same letter = same person.
const CALTECH_IDENTITY: Record<string, string> = { '00062': 'A', '00174': 'A', '00649': 'A', '00701': 'A', '00005': 'B', '00411': 'B', '00173': 'C', '00386': 'C' };
// Sample faces (photo, left-to-right index) that might be one person; their cross pairs are not counted.
const UNSURE = [['sample1:2', 'sample3:1'], ['sample1:1', 'sample2:2']];

interface Pair { set: string; a: string; b: string; same: boolean; score: number }
const pairs: Pair[] = [];
const misses: { set: string; item: string }[] = [];

const dir = mkdtempSync(join(tmpdir(), 'tusou-bench-face-'));
const { engine } = await openEngine(loadConfig({ TUSOU_DATA_DIR: dir, TUSOU_LOG_LEVEL: 'silent', TUSOU_VISION_WORKERS: '2' }));

async function indexAll(instance: string, items: { id: string; who: string; bytes: Buffer }[]): Promise<{ id: string; who: string }[]> {
  await engine.createInstance({ name: instance, serviceType: 'face', index: 'flat' });
  const kept: { id: string; who: string }[] = [];
  for (const it of items) {
    try {
      await engine.addImage(instance, { productId: it.who, picName: it.id, bytes: it.bytes });
      kept.push(it);
    } catch (err) {
      if (!isTusouError(err, 'FACE_NOT_FOUND')) throw err;
      misses.push({ set: instance, item: it.id });
    }
  }
  return kept;
}

/** Every unordered pair of single-face items, scored by searching with one and reading the other. */
async function allPairs(set: string, instance: string, kept: { id: string; who: string }[], engineRef: Engine) {
  for (const [i, a] of kept.entries()) {
    const res = await engineRef.searchByImage(instance, { productId: a.who, picName: a.id }, { num: 100 });
    for (const b of kept.slice(i + 1)) {
      const hit = res.hits.find((h) => h.image.picName === b.id);
      pairs.push({ set, a: a.id, b: b.id, same: a.who === b.who, score: hit?.score ?? 0 });
    }
  }
}

// -- caltech-faces
if (args.data && existsSync(join(args.data, 'caltech101', 'manifest.csv'))) {
  const rows = readFileSync(join(args.data, 'caltech101', 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const items = rows.filter((r) => r[1] === 'Faces').map((r) => {
    const id = /image_(\d+)/.exec(r[3])![1];
    const num = /c101_(\d+)/.exec(r[0])![1];
    return { id: num, who: CALTECH_IDENTITY[num] ?? `solo-${id}`, bytes: readFileSync(join(args.data!, 'caltech101', r[0])) };
  });
  await allPairs('caltech-faces', 'caltech', await indexAll('caltech', items), engine);
} else {
  console.error('caltech-faces skipped: pass --data with the shared datasets');
}

// -- facematch sheet
{
  const items = [];
  for (const [r, c] of FACEMATCH_SAME_MAN) items.push({ id: `r${r}c${c}`, who: 'man', bytes: await facematchTile(r, c) });
  for (const [r, c] of FACEMATCH_OTHERS) items.push({ id: `r${r}c${c}`, who: `other-r${r}c${c}`, bytes: await facematchTile(r, c) });
  await allPairs('facematch', 'facematch', await indexAll('facematch', items), engine);
}

// -- face-api group photos: face-level negatives across photos, synthetic positives
const synthetic: { face: string; found: boolean; score: number; boxIoU: number }[] = [];
{
  const photos: DemoPhotoName[] = ['sample1', 'sample2', 'sample3', 'sample4', 'sample5', 'sample6'];
  await engine.createInstance({ name: 'samples', serviceType: 'face', index: 'flat' });
  const faces: { photo: DemoPhotoName; k: number; box: Box }[] = [];
  for (const photo of photos) {
    const { image } = await engine.addImage('samples', { productId: photo, picName: `${photo}.jpg`, bytes: demoPhoto(photo) });
    // Faces named left to right, as UNSURE names them.
    [...image.regions].sort((a, b) => a.box.x1 - b.box.x1).forEach((r, k) => faces.push({ photo, k, box: r.box }));
  }
  const unsure = (a: string, b: string) => UNSURE.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  for (const f of faces) {
    const name = `${f.photo}:${f.k}`;
    const region = `${f.box.x1},${f.box.x2},${f.box.y1},${f.box.y2}`;
    const res = await engine.searchByPicture('samples', { bytes: demoPhoto(f.photo), region, num: 10 });
    for (const h of res.hits) {
      if (h.image.productId === f.photo) continue;
      const other = faces.filter((g) => g.photo === h.image.productId).find((g) => h.region && iou(g.box, h.region) > 0.9);
      const otherName = other ? `${other.photo}:${other.k}` : h.image.productId;
      if (unsure(name, otherName)) continue;
      pairs.push({ set: 'samples (cross-photo, best face per photo)', a: name, b: otherName, same: false, score: h.score });
    }
    const pad = Math.round((f.box.x2 - f.box.x1) * 0.6);
    const meta = await sharp(demoPhoto(f.photo)).metadata();
    const left = Math.max(0, f.box.x1 - pad);
    const top = Math.max(0, f.box.y1 - pad);
    const width = Math.min(meta.width! - left, f.box.x2 - f.box.x1 + 2 * pad);
    const height = Math.min(meta.height! - top, f.box.y2 - f.box.y1 + 2 * pad);
    const copy = await sharp(demoPhoto(f.photo)).extract({ left, top, width, height }).flop()
      .resize({ width: Math.round(width * 0.6) }).modulate({ brightness: 1.15 }).jpeg({ quality: 80 }).toBuffer();
    try {
      const q = await engine.searchByPicture('samples', { bytes: copy, num: 1 });
      const top1 = q.hits[0];
      synthetic.push({ face: name, found: top1?.image.productId === f.photo && top1.score >= 0.5, score: top1?.score ?? 0, boxIoU: top1?.region ? iou(top1.region, f.box) : 0 });
    } catch (err) {
      if (!isTusouError(err, 'FACE_NOT_FOUND')) throw err;
      synthetic.push({ face: name, found: false, score: 0, boxIoU: 0 });
    }
  }
}

await engine.close();
rmSync(dir, { recursive: true, force: true });

const rows = [...new Set(pairs.map((p) => p.set))].map((set) => {
  const ps = pairs.filter((p) => p.set === set);
  const pos = ps.filter((p) => p.same);
  const neg = ps.filter((p) => !p.same);
  const tp = pos.filter((p) => p.score >= 0.5).length;
  const fp = neg.filter((p) => p.score >= 0.5).length;
  return {
    set, positives: pos.length, negatives: neg.length,
    TPR: pos.length ? +(tp / pos.length).toFixed(3) : null,
    FPR: +(fp / Math.max(1, neg.length)).toFixed(4),
    accuracy: +((tp + neg.length - fp) / ps.length).toFixed(3),
    minPosScore: pos.length ? +Math.min(...pos.map((p) => p.score)).toFixed(3) : null,
    maxNegScore: +Math.max(0, ...neg.map((p) => p.score)).toFixed(3),
    noFaceFound: misses.filter((m) => m.set.startsWith(set.split(' ')[0].replace('-faces', ''))).length,
  };
});
const syn = {
  faces: synthetic.length,
  foundTop1AtThreshold: synthetic.filter((s) => s.found).length,
  matchedBoxIoU50: synthetic.filter((s) => s.boxIoU >= 0.5).length,
};
console.table(rows);
console.log('samples, synthetic re-photographed copies:', syn);
console.log('no face found:', misses);
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ at: new Date().toISOString(), threshold: 0.5, rows, synthetic: syn, syntheticFaces: synthetic, misses, falsePositives: pairs.filter((p) => !p.same && p.score >= 0.5), falseNegatives: pairs.filter((p) => p.same && p.score < 0.5) }, null, 1));
