import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];
}

const CASES: Case[] = [
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same" },
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "valid" },
  { x: [3, 9, 7, 5], filter: [2, 4, 5, 3], strides: [1, 1], pad: "same" },
  { x: [1, 11, 5, 2], filter: [5, 3, 2, 6], strides: [1, 1], pad: "valid" },
  { x: [2, 9, 9, 4], filter: [4, 4, 4, 8], strides: [2, 2], pad: "same" },
  { x: [2, 10, 7, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: "valid" },
  { x: [2, 11, 8, 3], filter: [5, 5, 3, 4], strides: [2, 2], pad: "same" },
  { x: [2, 13, 10, 1], filter: [3, 2, 1, 3], strides: [3, 2], pad: "valid" },
  { x: [1, 7, 9, 2], filter: [1, 1, 2, 5], strides: [1, 1], pad: "valid" },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
];

for (const [i, c] of CASES.entries()) {
  Deno.test(
    `Conv2DBackpropFilter on wasm matches cpu: x ${c.x} filter ${c.filter} strides ${c.strides} pad ${
      JSON.stringify(c.pad)
    }`,
    async () => {
      await assertSameOnWasm(
        () => {
          const x = randomTensor(c.x, 10 + i);
          const dyShape =
            tf.conv2d(x as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape;
          const dy = randomTensor(dyShape, 100 + i);
          return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
            strides: c.strides,
            pad: c.pad,
            dataFormat: "NHWC",
            filterShape: c.filter,
          }) as tf.Tensor;
        },
        1e-4,
        `case ${i}`,
      );
    },
  );
}

Deno.test("conv2d filter and input gradients through tf.grads match cpu", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([3, 12, 9, 4], 1) as tf.Tensor4D;
    const w = randomTensor([3, 3, 4, 5], 2) as tf.Tensor4D;
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").square().sum();
    return tf.grads(loss)([x, w]);
  }, 1e-4);
});

Deno.test("the compare helper catches a wrong kernel", async () => {
  await assert.rejects(() =>
    assertSameOnWasm(() => tf.getBackend() === "wasm" ? tf.ones([4]) : tf.zeros([4]), 1e-4, "deliberate")
  );
});
