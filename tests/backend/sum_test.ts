import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

const CASES: [number[], number | number[], boolean][] = [
  [[4, 9, 7, 5], [0, 1, 2], false], // bias gradient of a conv layer
  [[4, 9, 7, 5], [0, 1, 2], true],
  [[33, 17], 0, false],
  [[33, 17], [1], false], // trailing axis: shipped kernel
  [[3, 4, 5], [0, 2], false], // not a prefix: shipped kernel
  [[3, 4, 5], [-3, -2], true],
];

for (const [i, [shape, axis, keepDims]] of CASES.entries()) {
  Deno.test(`Sum on wasm matches cpu: [${shape}] over ${axis} keepDims ${keepDims}`, async () => {
    await assertSameOnWasm(() => tf.sum(randomTensor(shape, 40 + i), axis, keepDims), 1e-5, `case ${i}`);
  });
}

Deno.test("Sum of int32 on wasm stays int32 and matches cpu", async () => {
  await assertSameOnWasm(() => tf.sum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], "int32"), 0).toFloat());
});
