/**
 * Batches as tensors: training-set rows of uint8 pixels and condition vectors picked by index.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conditionVector } from "../models/dcgan.ts";
import type { TrainingSet } from "./prepare.ts";

/** Copies rows `indices` of `width` x `height` uint8 images into a float tensor in [-1, 1]. */
export function imageBatch(
  pixels: Uint8Array,
  size: { width: number; height: number },
  indices: ArrayLike<number>,
): tf.Tensor4D {
  const bytes = size.height * size.width * 3;
  const values = new Float32Array(indices.length * bytes);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * bytes;
    for (let k = 0; k < bytes; k++) values[i * bytes + k] = pixels[from + k] / 127.5 - 1;
  }
  return tf.tensor4d(values, [indices.length, size.height, size.width, 3]);
}

/** Stacks the condition rows `indices` into a [count, conditionSize] tensor. */
export function conditionTensor(conditions: Float32Array[], indices: ArrayLike<number>): tf.Tensor2D {
  const size = conditions[0].length;
  const values = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) values.set(conditions[indices[i]], i * size);
  return tf.tensor2d(values, [indices.length, size]);
}

/** The condition vectors of a set's posters, one vector per poster. */
export function setConditions(set: TrainingSet): Float32Array[] {
  return set.movies.map((m) => conditionVector(m.genres, m.year));
}
