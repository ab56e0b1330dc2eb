import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { mergeAxes } from "../../lib/backend/wasm_kernels/transpose.ts";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

const CASES: [number[], number[]][] = [
  [[300, 272], [1, 0]], // large 2-D, blocked
  [[301, 250], [1, 0]], // width not a multiple of the block: shipped path
  [[7, 5], [1, 0]],
  [[6, 40, 33, 5], [3, 1, 2, 0]], // batch and channels swap (filter gradient)
  [[6, 40, 33, 5], [1, 2, 0, 3]],
  [[2, 3, 4, 5], [0, 3, 1, 2]],
  [[1, 300, 1, 250], [3, 2, 1, 0]],
  [[2, 3, 4, 5, 6], [4, 0, 3, 1, 2]],
  [[9, 1, 7], [2, 1, 0]],
];

for (const [i, [shape, perm]] of CASES.entries()) {
  Deno.test(`Transpose on wasm matches cpu: [${shape}] by [${perm}]`, async () => {
    await assertSameOnWasm(() => tf.transpose(randomTensor(shape, i), perm), 0, `case ${i}`);
  });
}

Deno.test("mergeAxes joins axes that move together and drops size-1 axes", () => {
  assert.deepEqual(mergeAxes([32, 80, 55, 3], [3, 1, 2, 0]), { shape: [32, 4400, 3], perm: [2, 1, 0] });
  assert.deepEqual(mergeAxes([32, 80, 55, 3], [1, 2, 0, 3]), { shape: [32, 4400, 3], perm: [1, 0, 2] });
  assert.deepEqual(mergeAxes([4, 1, 5], [1, 2, 0]), { shape: [4, 5], perm: [1, 0] });
  assert.deepEqual(mergeAxes([2, 3], [0, 1]), { shape: [6], perm: [0] });
});
