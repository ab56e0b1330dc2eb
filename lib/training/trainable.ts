/**
 * The variables an optimizer updates for a network, in the network's order of weights.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { trainableVariables } from "./trainable.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const variables = trainableVariables(model); // the kernel and the bias
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** `model`'s trainable weights as the variables `optimizer.minimize` takes. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
