import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_REGION_OPTIONS, iou, mainRegion, selectRegions, type RawDetection } from './regions.js';

const labels = ['person', 'cup', 'dining table', 'cell phone', 'remote'];
const labelOf = (i: number) => labels[i];
const det = (x1: number, y1: number, x2: number, y2: number, score: number, classIndex: number): RawDetection => ({ x1, y1, x2, y2, score, classIndex });

describe('detected regions', () => {
  test('iou is 1 for equal boxes, 0 for disjoint ones and the overlap ratio otherwise', () => {
    const a = { x1: 0, y1: 0, x2: 10, y2: 10 };
    assert.equal(iou(a, a), 1);
    assert.equal(iou(a, { x1: 10, y1: 0, x2: 20, y2: 10 }), 0);
    assert.equal(iou(a, { x1: 5, y1: 0, x2: 15, y2: 10 }), 50 / 150);
  });

  test('boxes are scaled from the 512 px model input to the picture and clamped inside it', () => {
    const r = selectRegions([det(-4, 256, 256, 530, 0.6, 0)], { width: 512, height: 512 }, { width: 1024, height: 2048 }, labelOf);
    assert.deepEqual(r, [{ box: { x1: 0, y1: 1024, x2: 512, y2: 2048 }, label: 'person', score: 0.6 }]);
  });

  test('weak detections are dropped and same-label duplicates suppressed, highest score first', () => {
    const r = selectRegions([
      det(10, 10, 100, 100, 0.4, 0), det(12, 10, 100, 102, 0.5, 0), det(300, 300, 400, 400, 0.29, 1),
    ], { width: 512, height: 512 }, { width: 512, height: 512 }, labelOf);
    assert.deepEqual(r.map((x) => [x.label, x.score]), [['person', 0.5]]);
  });

  test('one object under two labels in the same box is one region, but a cup on a table keeps the table', () => {
    const r = selectRegions([
      det(10, 400, 100, 440, 0.55, 3), det(10, 400, 100, 441, 0.39, 4),
      det(167, 21, 411, 254, 0.47, 1), det(151, 13, 425, 355, 0.4, 2),
    ], { width: 512, height: 512 }, { width: 512, height: 512 }, labelOf);
    assert.deepEqual(r.map((x) => x.label), ['cell phone', 'cup', 'dining table']);
  });

  test('at most maxRegions regions are kept', () => {
    const many = Array.from({ length: 30 }, (_, i) => det(i * 16, 0, i * 16 + 15, 15, 0.5, 0));
    assert.equal(selectRegions(many, { width: 512, height: 512 }, { width: 512, height: 512 }, labelOf).length, DEFAULT_REGION_OPTIONS.maxRegions);
  });

  test('the main region prefers a confident, large, central object over a small or weak one', () => {
    const big = { box: { x1: 300, y1: 200, x2: 700, y2: 800 }, label: 'person', score: 0.5 };
    const small = { box: { x1: 0, y1: 0, x2: 100, y2: 100 }, label: 'cup', score: 0.6 };
    const weak = { box: { x1: 0, y1: 0, x2: 1000, y2: 1000 }, label: 'dining table', score: 0.31 };
    assert.equal(mainRegion([small, big, weak], 1000, 1000), big);
  });

  test('there is no main region when every detection is too weak or too small', () => {
    const speck = { box: { x1: 0, y1: 0, x2: 40, y2: 9 }, label: 'clock', score: 0.6 };
    const weak = { box: { x1: 0, y1: 0, x2: 500, y2: 500 }, label: 'person', score: 0.25 };
    assert.equal(mainRegion([speck, weak], 640, 427), undefined);
  });
});
