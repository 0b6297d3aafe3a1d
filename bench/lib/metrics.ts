// Retrieval metrics over one ranked list (true = relevant at that rank), and precision/recall of
// a score threshold. Pure functions; the benchmark averages them over queries.

/**
 * Average precision: the mean, over all `totalRelevant` relevant items, of the precision at the
 * rank where each is found. Relevant items missing from `ranked` (e.g. beyond a truncated list)
 * contribute 0, so a truncated list gives a lower bound of the full-ranking AP.
 * @example averagePrecision([true, false, true], 2) // (1/1 + 2/3) / 2 = 0.8333
 */
export function averagePrecision(ranked: readonly boolean[], totalRelevant: number): number {
  if (totalRelevant <= 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.forEach((rel, i) => {
    if (rel) { hits++; sum += hits / (i + 1); }
  });
  return sum / totalRelevant;
}

/** 1 / rank of the first relevant item (1-based), 0 when none is ranked. */
export function reciprocalRank(ranked: readonly boolean[]): number {
  const i = ranked.indexOf(true);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Fraction of the `totalRelevant` relevant items found in the first k. */
export function recallAtK(ranked: readonly boolean[], k: number, totalRelevant: number): number {
  if (totalRelevant <= 0) return 0;
  return ranked.slice(0, k).filter(Boolean).length / totalRelevant;
}

/** Fraction of the first k ranks that hold a relevant item (a missing rank counts as irrelevant). */
export function precisionAtK(ranked: readonly boolean[], k: number): number {
  return ranked.slice(0, k).filter(Boolean).length / k;
}

/** UKBench N-S score of one query: relevant items among the first 4 (0–4), the query itself included. */
export function nsScore(ranked: readonly boolean[]): number {
  return ranked.slice(0, 4).filter(Boolean).length;
}

/** The p-th percentile (0..100) by the nearest-rank-below rule the benchmarks report; NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Arithmetic mean; 0 for an empty list. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface ThresholdPoint {
  threshold: number;
  /** Of the pairs scoring ≥ threshold, the fraction that are true pairs (1 when none scores that high). */
  precision: number;
  /** Of all `totalPositives` true pairs, the fraction scoring ≥ threshold. */
  recall: number;
  accepted: number;
}

/**
 * Precision and recall of "score ≥ threshold means a match" at each threshold, for scored
 * (query, result) pairs of which `totalPositives` true pairs exist (some may be unscored).
 * @example precisionRecall([{ score: 0.9, positive: true }, { score: 0.6, positive: false }], 1, [0.5, 0.8])
 *   // [{ threshold: 0.5, precision: 0.5, recall: 1, accepted: 2 }, { threshold: 0.8, precision: 1, recall: 1, accepted: 1 }]
 */
export function precisionRecall(pairs: readonly { score: number; positive: boolean }[], totalPositives: number, thresholds: readonly number[]): ThresholdPoint[] {
  return thresholds.map((threshold) => {
    const accepted = pairs.filter((p) => p.score >= threshold);
    const tp = accepted.filter((p) => p.positive).length;
    return {
      threshold,
      precision: accepted.length === 0 ? 1 : tp / accepted.length,
      recall: totalPositives === 0 ? 0 : tp / totalPositives,
      accepted: accepted.length,
    };
  });
}
