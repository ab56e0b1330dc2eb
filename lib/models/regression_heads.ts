/**
 * Regression heads on the genre CNN: one linear unit per target (year, rating) on the last hidden
 * layer, beside the genre output, and their loss.
 *
 * ```ts
 * import { buildGenreCnn } from "./cnn.ts";
 * import { withRegressionHeads } from "./regression_heads.ts";
 * const cnn = buildGenreCnn({ height: 80, width: 55, genres: 7, version: 1 });
 * const model = withRegressionHeads(cnn, ["year", "rating"]); // outputs [genres, year, rating]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { REGRESSION_DEFAULTS, type RegressionTarget } from "../config.ts";
import type { Movie } from "../dataset/types.ts";
import { regressionHeads, type RegressionScalings, targetValue } from "./targets.ts";

/** Name of a head's layer: `year_head`, `rating_head`. */
export function headName(target: RegressionTarget): string {
  return `${target}_head`;
}

/**
 * The same network with a linear head per target on the input of its last (genre) layer. The genre
 * layers and their weights are shared; outputs are `[genres, ...heads]` in `targets` order.
 */
export function withRegressionHeads(
  model: tf.Sequential,
  targets: readonly RegressionTarget[],
  seed = 42,
): tf.LayersModel {
  if (targets.length === 0) return model;
  const input = tf.input({ shape: model.inputs[0].shape.slice(1) as number[] });
  const layers = model.layers;
  let hidden = input as tf.SymbolicTensor;
  for (const layer of layers.slice(0, -1)) hidden = layer.apply(hidden) as tf.SymbolicTensor;
  const genres = layers[layers.length - 1].apply(hidden) as tf.SymbolicTensor;
  const heads = targets.map((target, k) =>
    tf.layers.dense({
      units: 1,
      name: headName(target),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 + k }),
    }).apply(hidden) as tf.SymbolicTensor
  );
  return tf.model({ inputs: input, outputs: [genres, ...heads], name: `${model.name}_${targets.join("_")}` });
}

/**
 * Mean Huber loss over the films that have a value (`mask` 1), 0 when none has: quadratic within
 * `delta`, linear beyond.
 */
export function maskedHuber(
  targets: tf.Tensor,
  predictions: tf.Tensor,
  mask: tf.Tensor,
  delta: number = REGRESSION_DEFAULTS.huberDelta,
): tf.Scalar {
  return tf.tidy(() => {
    const error = tf.abs(tf.sub(predictions, targets));
    const quadratic = tf.minimum(error, delta);
    const perFilm = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(error, quadratic)));
    const count = tf.maximum(tf.sum(mask), 1);
    return tf.div(tf.sum(tf.mul(perFilm, mask)), count) as tf.Scalar;
  });
}

/** Standardised values `[n, 1]` of a head's target for `movies`, and a mask `[n, 1]` of which have one. */
export function headTargets(
  movies: readonly Movie[],
  target: RegressionTarget,
  scalings: RegressionScalings,
): { values: tf.Tensor2D; mask: tf.Tensor2D } {
  const { mean, std } = scalings[target]!;
  const raw = movies.map((m) => targetValue(m, target));
  return {
    values: tf.tensor2d(raw.map((v) => (v === undefined ? 0 : (v - mean) / std)), [movies.length, 1]),
    mask: tf.tensor2d(raw.map((v) => (v === undefined ? 0 : 1)), [movies.length, 1]),
  };
}

/**
 * The loss of a model's outputs on a batch: the genre loss on `outputs[0]`, plus each head's masked
 * Huber loss times `headWeight` (default {@linkcode REGRESSION_DEFAULTS}.weight).
 */
export function totalLoss(
  genreLoss: (labels: tf.Tensor, probabilities: tf.Tensor) => tf.Scalar,
  labels: tf.Tensor,
  outputs: tf.Tensor | tf.Tensor[],
  movies: readonly Movie[],
  scalings: RegressionScalings | undefined,
  headWeight: number = REGRESSION_DEFAULTS.weight,
): tf.Scalar {
  if (!Array.isArray(outputs)) return genreLoss(labels, outputs);
  return tf.tidy(() => {
    let loss = genreLoss(labels, outputs[0]);
    regressionHeads(scalings).forEach((target, k) => {
      const { values, mask } = headTargets(movies, target, scalings!);
      loss = tf.add(loss, tf.mul(headWeight, maskedHuber(values, outputs[k + 1], mask)));
    });
    return loss;
  });
}

/** Mean absolute error in the target's units over the films that have a value, and how many had one. */
export function meanAbsoluteError(
  movies: readonly Movie[],
  target: RegressionTarget,
  estimates: ArrayLike<number>,
): { mae: number; count: number } {
  let sum = 0;
  let count = 0;
  movies.forEach((movie, i) => {
    const value = targetValue(movie, target);
    if (value === undefined) return;
    sum += Math.abs(estimates[i] - value);
    count++;
  });
  return { mae: count ? sum / count : NaN, count };
}
