import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, mean, nsScore, percentile, precisionAtK, precisionRecall, recallAtK, reciprocalRank } from './metrics.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

describe('retrieval metrics against hand-computed examples', () => {
  it('average precision averages precision at each relevant rank', () => {
    // relevant at ranks 1, 3, 6 of 3 relevant: (1/1 + 2/3 + 3/6) / 3
    close(averagePrecision([true, false, true, false, false, true], 3), (1 + 2 / 3 + 0.5) / 3);
    // a perfect ranking has AP 1, whatever follows
    close(averagePrecision([true, true, false, false], 2), 1);
  });

  it('average precision counts relevant items missing from a truncated ranking as 0', () => {
    // 4 relevant, only ranks 2 and 4 found: (1/2 + 2/4) / 4
    close(averagePrecision([false, true, false, true], 4), 0.25);
    close(averagePrecision([false, false], 3), 0);
    close(averagePrecision([], 0), 0);
  });

  it('mAP is the mean of per-query APs', () => {
    close(mean([averagePrecision([true], 1), averagePrecision([false, true], 1)]), 0.75);
    close(mean([]), 0);
  });

  it('reciprocal rank is 1 over the first relevant rank, 0 when absent', () => {
    close(reciprocalRank([false, false, true, true]), 1 / 3);
    close(reciprocalRank([true]), 1);
    close(reciprocalRank([false, false]), 0);
  });

  it('recall@k and precision@k count relevant items in the first k', () => {
    const r = [false, true, true, false, true];
    close(recallAtK(r, 1, 1), 0);
    close(recallAtK(r, 3, 4), 0.5);
    close(recallAtK(r, 5, 3), 1);
    close(precisionAtK(r, 5), 0.6);
    // a ranking shorter than k counts the missing ranks as irrelevant
    close(precisionAtK([true], 10), 0.1);
  });

  it('N-S score counts the relevant items among the first four', () => {
    assert.equal(nsScore([true, true, false, true, true]), 3);
    assert.equal(nsScore([true, true, true, true]), 4);
    assert.equal(nsScore([false, false]), 0);
  });

  it('precision/recall at thresholds count accepted true and false pairs', () => {
    const pairs = [
      { score: 0.95, positive: true }, { score: 0.9, positive: false },
      { score: 0.8, positive: true }, { score: 0.5, positive: false },
    ];
    // 3 true pairs exist, one was never scored
    const [t0, t1, t2] = precisionRecall(pairs, 3, [0.5, 0.85, 0.99]);
    assert.deepEqual(t0, { threshold: 0.5, precision: 0.5, recall: 2 / 3, accepted: 4 });
    assert.deepEqual(t1, { threshold: 0.85, precision: 0.5, recall: 1 / 3, accepted: 2 });
    assert.deepEqual(t2, { threshold: 0.99, precision: 1, recall: 0, accepted: 0 });
  });

  it('percentiles take the value at rank floor(p/100 · n) of the sorted list', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(xs, 50), 6);
    assert.equal(percentile(xs, 95), 10);
    assert.equal(percentile(xs, 0), 1);
    assert.equal(percentile(xs, 100), 10);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.deepEqual(xs, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 'the input is not sorted in place');
  });
});
