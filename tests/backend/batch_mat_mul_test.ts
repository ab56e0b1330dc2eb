import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

const CASES: [number[], number[], boolean, boolean][] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[33, 130], [33, 9], true, false], // x^T·dy of a dense layer: wide x
  [[9, 33], [130, 33], false, true], // dy·W^T of a dense layer: big W
  [[1, 6, 4], [1, 6, 5], true, false],
  [[3, 6, 4], [3, 5, 4], false, true], // batch > 1 stays on the shipped kernel
  [[2, 1, 6, 4], [2, 1, 6, 5], true, false],
];

for (const [i, [aShape, bShape, transposeA, transposeB]] of CASES.entries()) {
  Deno.test(
    `BatchMatMul on wasm matches cpu: [${aShape}]${transposeA ? "^T" : ""} x [${bShape}]${
      transposeB ? "^T" : ""
    }`,
    async () => {
      await assertSameOnWasm(
        () => tf.matMul(randomTensor(aShape, i), randomTensor(bShape, 50 + i), transposeA, transposeB),
        1e-4,
        `case ${i}`,
      );
    },
  );
}

Deno.test("a dense forward product is right with fresh weights and with reused (packed) weights", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([4, 300], 7), w = randomTensor([300, 64], 8);
    return [tf.matMul(x, w.add(1)), tf.matMul(x, w), tf.matMul(x, w), tf.matMul(x.mul(2), w)];
  }, 1e-4);
});

Deno.test("one tensor as right operand in two shapes (a reshape shares data) stays right", async () => {
  // XNNPACK caches packed operands by tensor id; reusing [4,1] data as [1,4] once corrupted memory.
  await assertSameOnWasm(() => {
    const x = randomTensor([4, 512], 11), d = randomTensor([512, 1], 12), dy = randomTensor([4, 1], 13);
    return [tf.matMul(dy, d, false, true), tf.matMul(x, dy, true, false), tf.matMul(dy.reshape([1, 4]), x)];
  }, 1e-4);
});

Deno.test("dense layer gradients (fused matMul with bias and relu) match cpu", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([6, 40], 1), w = randomTensor([40, 9], 2), b = randomTensor([9], 3);
    const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: "relu" }).square()
        .sum();
    return tf.grads(loss)([x, w, b]);
  }, 1e-4);
});
