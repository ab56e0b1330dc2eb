/**
 * An exponential moving average of the generator's weights (Yazıcı et al., 2019; used by BigGAN and
 * StyleGAN): samples come from the average, which is smoother than the generator of any single step
 * and does not jump with the discriminator's last move. Batch norm's moving statistics are averaged
 * the same way.
 *
 * @example
 * ```ts
 * import type * as tf from "@tensorflow/tfjs";
 * import { DEFAULT_DCGAN_SHAPE } from "../config.ts";
 * import { buildGenerator } from "../models/dcgan.ts";
 * import { updateAverage } from "./ema.ts";
 * declare const generator: tf.LayersModel, step: number;
 * const average = buildGenerator(DEFAULT_DCGAN_SHAPE);
 * average.setWeights(generator.getWeights());
 * // after each training step:
 * updateAverage(average, generator, 0.999, step);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The decay used at step `step`: `min(decay, (1 + step) / (10 + step))`, so the average follows the
 * generator closely in the first hundreds of steps instead of holding on to the random start.
 */
export function averageDecay(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/** `average ← d·average + (1 − d)·model` for every weight, with d = {@linkcode averageDecay}. */
export function updateAverage(
  average: tf.LayersModel,
  model: tf.LayersModel,
  decay: number,
  step: number,
): void {
  const d = averageDecay(decay, step);
  const from = model.weights;
  const to = average.weights;
  if (from.length !== to.length) {
    throw new Error(`Weight average of ${average.name}: ${to.length} weights, its model has ${from.length}.`);
  }
  tf.tidy(() => {
    for (let i = 0; i < from.length; i++) {
      to[i].write(to[i].read().mul(d).add(from[i].read().mul(1 - d)));
    }
  });
}
