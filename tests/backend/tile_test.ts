import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

const CASES: [number[], number[]][] = [
  [[1, 1, 1, 5], [3, 4, 2, 1]], // a channel vector to NHWC (batch norm's gradient)
  [[2, 3], [2, 3]],
  [[3, 1, 2], [1, 4, 1]],
  [[4], [1]],
];

for (const [i, [shape, reps]] of CASES.entries()) {
  Deno.test(`Tile on wasm matches cpu: [${shape}] by [${reps}]`, async () => {
    await assertSameOnWasm(() => tf.tile(randomTensor(shape, 60 + i), reps), 0, `case ${i}`);
  });
}

Deno.test("Tile of int32 on wasm matches cpu", async () => {
  await assertSameOnWasm(() => tf.tile(tf.tensor1d([1, 2, 3], "int32"), [2]).toFloat(), 0);
});
