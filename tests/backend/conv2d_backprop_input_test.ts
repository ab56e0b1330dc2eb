import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

interface Case {
  dx: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];
}

const CASES: Case[] = [
  { dx: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same" },
  { dx: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "valid" },
  { dx: [3, 9, 7, 5], filter: [2, 4, 5, 3], strides: [1, 1], pad: "same" },
  { dx: [1, 11, 5, 2], filter: [5, 3, 2, 6], strides: [1, 1], pad: "valid" },
  { dx: [2, 8, 8, 4], filter: [4, 4, 4, 8], strides: [2, 2], pad: "same" },
  { dx: [2, 9, 9, 4], filter: [4, 4, 4, 8], strides: [2, 2], pad: "same" },
  { dx: [2, 10, 7, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: "valid" },
  { dx: [2, 11, 8, 3], filter: [5, 5, 3, 4], strides: [2, 2], pad: "same" },
  { dx: [2, 13, 10, 1], filter: [3, 2, 1, 3], strides: [3, 2], pad: "valid" },
  { dx: [1, 9, 9, 2], filter: [1, 1, 2, 5], strides: [2, 2], pad: "valid" },
  { dx: [1, 7, 9, 2], filter: [1, 1, 2, 5], strides: [1, 1], pad: "valid" },
  { dx: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { dx: [2, 8, 8, 3], filter: [5, 5, 3, 2], strides: [2, 2], pad: [[0, 0], [2, 1], [3, 0], [0, 0]] },
];

for (const [i, c] of CASES.entries()) {
  Deno.test(
    `Conv2DBackpropInput on wasm matches cpu: dx ${c.dx} filter ${c.filter} strides ${c.strides} pad ${
      JSON.stringify(c.pad)
    }`,
    async () => {
      await assertSameOnWasm(
        () => {
          const filter = randomTensor(c.filter, 20 + i);
          const dyShape =
            tf.conv2d(tf.zeros(c.dx) as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad).shape;
          const dy = randomTensor(dyShape, 200 + i);
          return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: "NHWC",
            inputShape: c.dx,
          }) as tf.Tensor;
        },
        1e-4,
        `case ${i}`,
      );
    },
  );
}

Deno.test("conv2dTranspose (DCGAN upsampling) and its gradients match cpu", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([2, 4, 4, 8], 3) as tf.Tensor4D;
    const w = randomTensor([5, 5, 3, 8], 4) as tf.Tensor4D; // (h, w, out, in) for conv2dTranspose
    const up = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 8, 3], 2, "same").tanh().sum();
    const forward = tf.conv2dTranspose(x, w, [2, 8, 8, 3], 2, "same");
    return [forward, ...tf.grads(up)([x, w])];
  }, 1e-4);
});
