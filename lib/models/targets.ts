/**
 * What a model predicts besides genres: regression heads for the release year (from the title) and
 * the IMDb score, trained on standardised targets. The scaling is stored in metadata.json so that
 * `deno task predict` and the browser page turn the heads' outputs back into years and scores.
 *
 * The outputs of a model with heads are `[genres, ...heads]`, heads in {@linkcode REGRESSION_TARGETS}
 * order. This module has no run-time imports, so the browser page bundles it.
 *
 * ```ts
 * const scaling = targetScaling([1990, 2000, 2010]); // { mean: 2000, std: 8.165 }
 * regressionEstimates({ regression: { year: scaling } }, [[0.5]]); // { year: 2004.08 }
 * ```
 *
 * @module
 */

/** The regression targets, in the order of the model's outputs after the genres. */
export const REGRESSION_TARGETS = ["year", "rating"] as const;

/** A regression target. */
export type RegressionTarget = typeof REGRESSION_TARGETS[number];

/** Standardisation of a target on the training split: the head learns `(value - mean) / std`. */
export interface TargetScaling {
  mean: number;
  std: number;
}

/** The scaling of each head a model has. */
export type RegressionScalings = Partial<Record<RegressionTarget, TargetScaling>>;

/** Estimates of the heads a model has, in the targets' units. */
export type RegressionEstimates = Partial<Record<RegressionTarget, number>>;

/** Mean and standard deviation (population; 1 when the values are all equal) of training values. */
export function targetScaling(values: readonly number[]): TargetScaling {
  if (values.length === 0) throw new Error("A regression target needs training values.");
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: variance > 0 ? Math.sqrt(variance) : 1 };
}

/** The heads of a model, in output order. */
export function regressionHeads(scalings: RegressionScalings | undefined): RegressionTarget[] {
  return REGRESSION_TARGETS.filter((target) => scalings?.[target] !== undefined);
}

/** Turns the heads' outputs (`heads[k][0]`, standardised) back into years and scores. */
export function regressionEstimates(
  metadata: { regression?: RegressionScalings },
  heads: readonly ArrayLike<number>[],
): RegressionEstimates {
  const estimates: RegressionEstimates = {};
  regressionHeads(metadata.regression).forEach((target, k) => {
    const scaling = metadata.regression![target]!;
    if (heads[k] !== undefined) estimates[target] = heads[k][0] * scaling.std + scaling.mean;
  });
  return estimates;
}
