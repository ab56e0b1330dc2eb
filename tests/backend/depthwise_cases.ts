/**
 * The depthwise convolutions whose input gradient the wasm and native kernels are checked on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { randomTensor } from "./compare.ts";

/** Depthwise convolutions: input shape, filter shape [kh, kw, c, m], strides, pad (tfjs's gradient has no dilation). */
export const DEPTHWISE_CASES: [number[], number[], number | [number, number], "same" | "valid"][] = [
  [[2, 8, 6, 5], [3, 3, 5, 1], 1, "same"], // MobileNetV2's stride-1 blocks
  [[2, 9, 7, 4], [3, 3, 4, 1], 2, "same"], // its stride-2 blocks, odd sizes
  [[1, 10, 9, 3], [3, 2, 3, 2], [2, 1], "valid"], // a channel multiplier of 2
  [[2, 11, 8, 2], [5, 5, 2, 1], 1, "same"], // a wider window
  [[2, 32, 48, 16], [3, 3, 16, 1], 2, "same"], // a GAN poster's first block, 64x96 in
];

/** The input's gradient of case `i`'s depthwise convolution, for a random output gradient. */
export function depthwiseInputGradient(i: number): tf.Tensor {
  const [x, filter, strides, pad] = DEPTHWISE_CASES[i];
  const image = randomTensor(x, 40 + i) as tf.Tensor4D;
  const weights = randomTensor(filter, 50 + i) as tf.Tensor4D;
  const convolve = (a: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, weights, strides, pad);
  const dy = randomTensor(convolve(image).shape, 60 + i);
  return tf.grad((a: tf.Tensor) => convolve(a).mul(dy).sum())(image);
}

/** A case's name in the test list. */
export function depthwiseCaseName(i: number): string {
  const [x, filter, strides, pad] = DEPTHWISE_CASES[i];
  return `x ${x} filter ${filter} strides ${strides} ${pad}`;
}
