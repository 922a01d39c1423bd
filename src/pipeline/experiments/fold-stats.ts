/** Summaries over the runs of a cross-validation (K folds, or one run per held-out speaker). */

/** Mean and sample standard deviation (0 for a single value) of fold results. */
export function spread(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** An accuracy as the experiments print it: a percentage with two decimals. */
export const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
