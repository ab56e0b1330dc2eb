/**
 * Training losses of the genre CNN, on sigmoid probabilities.
 *
 * Binary cross-entropy (the default) treats every genre as its own yes/no question, which is what
 * independent sigmoid outputs mean. The original project trained with Keras' categorical
 * cross-entropy on the same sigmoid outputs; it is kept as an option so the two can be compared.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LossName } from "../config.ts";

/** Keras' epsilon: probabilities are clipped to [eps, 1 - eps] before the log. */
const EPSILON = 1e-7;

/** A loss: labels and predicted probabilities `[batch, genres]` → scalar mean over the batch. */
export type LossFunction = (labels: tf.Tensor, probabilities: tf.Tensor) => tf.Scalar;

/** Mean over films and genres of `-(y log p + (1 - y) log(1 - p))`, as Keras' `binary_crossentropy`. */
export function binaryCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
    const perValue = tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(perValue));
  });
}

/**
 * Keras 2's `categorical_crossentropy` on probabilities, as the original used it: each row of
 * predictions is rescaled to sum to 1, clipped, and the loss is `-sum(y log p)` per film, averaged.
 * With several true genres a film pulls the predictions towards an even split between them.
 */
export function categoricalCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const normalised = tf.div(probabilities, tf.sum(probabilities, -1, true));
    const p = tf.clipByValue(normalised, EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1)));
  });
}

/** The loss function for a {@linkcode LossName}. */
export function lossFunction(name: LossName): LossFunction {
  if (name === "binary_crossentropy") return binaryCrossEntropy;
  if (name === "categorical_crossentropy") return categoricalCrossEntropy;
  throw new Error(`Unknown loss "${name}": use binary_crossentropy (bce) or categorical_crossentropy (cce).`);
}

/** Short names used on the command line and in saved model names. */
export const LOSS_SHORT_NAMES: Record<LossName, string> = {
  binary_crossentropy: "bce",
  categorical_crossentropy: "cce",
};

/** The {@linkcode LossName} for a short name (`bce`, `cce`) or a full name. */
export function parseLossName(text: string): LossName {
  for (const [name, short] of Object.entries(LOSS_SHORT_NAMES)) {
    if (text === short || text === name) return name as LossName;
  }
  throw new Error(
    `Unknown loss "${text}": use bce (binary cross-entropy) or cce (categorical cross-entropy).`,
  );
}
