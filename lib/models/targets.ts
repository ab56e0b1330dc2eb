/**
 * What a model predicts besides genres: regression heads for the release year (from the title) and
 * the IMDb score, trained on standardised targets. The scaling is stored in metadata.json so that
 * `deno task predict` and the browser page turn the heads' outputs back into years and scores.
 *
 * The outputs of a model with heads are `[genres, ...heads]`, the heads in the order of
 * `REGRESSION_TARGETS` (lib/config.ts). This module runs no tensors, so the browser page bundles it.
 *
 * ```ts
 * import { regressionEstimates, targetScaling } from "./targets.ts";
 * const scaling = targetScaling([1990, 2000, 2010]); // { mean: 2000, std: 8.165 }
 * regressionEstimates({ regression: { year: scaling } }, [[0.5]]); // { year: 2004.08 }
 * ```
 *
 * @module
 */

import { REGRESSION_TARGETS, type RegressionTarget } from "../config.ts";
import type { Movie } from "../dataset/types.ts";

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

/** A head's standardised output back in the target's units. */
export function unscale(scaling: TargetScaling, value: number): number {
  return value * scaling.std + scaling.mean;
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
    if (heads[k] !== undefined) estimates[target] = unscale(scaling, heads[k][0]);
  });
  return estimates;
}

/**
 * An error in a target's units as printed: years to a hundredth; ratings to a thousandth, since a
 * poster moves the rating's error by hundredths and goals are set at that grain.
 */
export function formatTargetError(target: RegressionTarget, value: number): string {
  return value.toFixed(target === "rating" ? 3 : 2);
}

/**
 * The regression targets of a `--targets` list such as `genres,year,rating`, in output order. The
 * list must name `genres` (the model always predicts them); an unknown name is an error naming it.
 */
export function parseTargets(names: readonly string[]): RegressionTarget[] {
  const known = ["genres", ...REGRESSION_TARGETS];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`Unknown target ${unknown.join(", ")}: use ${known.join(", ")}.`);
  if (!names.includes("genres")) {
    throw new Error(`The targets must include genres (e.g. genres,year,rating), got ${names.join(",")}.`);
  }
  return REGRESSION_TARGETS.filter((target) => names.includes(target));
}

/** The value of `target` for a film: its year, or its IMDb score (undefined when the CSV has none). */
export function targetValue(movie: Movie, target: RegressionTarget): number | undefined {
  return target === "year" ? movie.year : movie.score;
}

/** The scaling of each of `targets` over `movies` (the training split), from the films that have a value. */
export function scalingsFor(
  movies: readonly Movie[],
  targets: readonly RegressionTarget[],
): RegressionScalings {
  const scalings: RegressionScalings = {};
  for (const target of targets) {
    const values = movies.map((m) => targetValue(m, target)).filter((v): v is number => v !== undefined);
    if (values.length === 0) {
      throw new Error(`No training film has a ${target}: train without it (--targets genres).`);
    }
    scalings[target] = targetScaling(values);
  }
  return scalings;
}
