import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

const CASES: [number[], number | number[], boolean][] = [
  [[4, 9, 7, 5], [0, 1, 2], false], // batch norm moments
  [[4, 9, 7, 5], [0, 1, 2], true],
  [[33, 17], 0, false],
  [[3, 4, 5], [2], false], // trailing axis: shipped kernel
  [[3, 4, 5], [0, 2], true], // not a prefix: shipped kernel
];

for (const [i, [shape, axis, keepDims]] of CASES.entries()) {
  Deno.test(`Mean on wasm matches cpu: [${shape}] over ${axis} keepDims ${keepDims}`, async () => {
    await assertSameOnWasm(() => tf.mean(randomTensor(shape, 70 + i), axis, keepDims), 1e-5, `case ${i}`);
  });
}
