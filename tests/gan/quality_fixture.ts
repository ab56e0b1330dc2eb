/** A small stand-in for the genre CNN that judges generated posters in the quality figures' tests. */
import * as tf from "@tensorflow/tfjs";
import type { QualityCnn } from "../../lib/gan/quality_cnn.ts";

/** 8x8 input, a 6-unit dense layer, 3 genre scores (Drama, Action, Horror), and with `withYear` a year head. */
export function tinyCnn(withYear = false): QualityCnn {
  const input = tf.input({ shape: [8, 8, 3] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({
    units: 6,
    activation: "relu",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
  })
    .apply(flat) as tf.SymbolicTensor;
  const scores = tf.layers.dense({
    units: 3,
    activation: "sigmoid",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
  })
    .apply(hidden) as tf.SymbolicTensor;
  const year = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(hidden) as tf.SymbolicTensor;
  return {
    name: "tiny",
    genres: ["Drama", "Action", "Horror"],
    height: 8,
    width: 8,
    model: tf.model({ inputs: input, outputs: withYear ? [hidden, scores, year] : [hidden, scores] }),
    ...(withYear ? { year: { mean: 1995, std: 10 } } : {}),
  };
}
