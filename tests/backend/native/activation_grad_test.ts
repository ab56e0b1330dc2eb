import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { LEAKY_RELU_GRAD_KERNEL, RELU_GRAD_KERNEL } from "../../../lib/backend/native/activation_grad.ts";
import { initBackend } from "../../../lib/backend/select.ts";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

// Big enough for oneDNN (a DCGAN discriminator layer, batch 2), and one small enough for tfjs's formula.
const SHAPES = [[2, 32, 32, 32], [3, 5]];

/**
 * The gradient of sum(activation(x) * w) for x, and the gradient of sum(that * v) for w: a
 * second-order gradient through the gradient kernel's dy input. x has exact zeros.
 */
function derivatives(activation: (x: tf.Tensor) => tf.Tensor, shape: number[]): tf.Tensor[] {
  const x = tf.relu(randomTensor(shape, 4).sub(0.2)).mul(tf.sign(randomTensor(shape, 5)));
  const w = randomTensor(shape, 6), v = randomTensor(shape, 7);
  const first = (weights: tf.Tensor) =>
    tf.grad((input: tf.Tensor) => activation(input).mul(weights).sum())(x);
  const second = tf.grad((weights: tf.Tensor) => first(weights).mul(v).sum())(w);
  return [first(w), second];
}

const ACTIVATIONS: [string, (x: tf.Tensor) => tf.Tensor, string][] = [
  ["relu", (x) => tf.relu(x), RELU_GRAD_KERNEL],
  ["leakyRelu 0.2", (x) => tf.leakyRelu(x, 0.2), LEAKY_RELU_GRAD_KERNEL],
];

for (const [name, activation] of ACTIVATIONS) {
  nativeTest(`native ${name} gradient matches cpu exactly (first and second order)`, async () => {
    for (const shape of SHAPES) {
      await assertSameOnNative(() => derivatives(activation, shape), 0, `${name} ${shape}`);
    }
  });
}

nativeTest("activation gradients run the native kernels on native only", async () => {
  for (const [name, activation, kernel] of ACTIVATIONS) {
    for (const backend of ["native", "wasm"] as const) {
      await initBackend(backend, { log: () => {} });
      const info = await tf.profile(() => tf.dispose(derivatives(activation, SHAPES[0])));
      assert.equal(info.kernelNames.includes(kernel), backend === "native", `${name} on ${backend}`);
    }
  }
});
