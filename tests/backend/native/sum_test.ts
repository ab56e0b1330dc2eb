import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

const CASES: [number[], number | number[], boolean][] = [
  [[4, 5, 3, 6], [0, 1, 2], false], // a bias gradient
  [[4, 5, 3, 6], [0, 1, 2], true],
  [[32, 512], 0, false],
  [[7, 9], [1], false], // trailing
  [[3, 4, 5], [-2, -1], true],
  [[3, 4, 5], [1], false], // middle: the C kernels (the wasm kernels without them)
  [[4, 48, 32, 32], [1, 2], true], // a skip-layer gate's gradient
  [[2, 3, 4, 5, 6], [2, 3], false],
  [[3, 4, 5], [0, 2], false], // not contiguous: the wasm kernels
  [[6], 0, false], // everything
  [[2, 80, 55, 32], [0, 1, 2], false], // the genre CNN's first conv at ratio 30
];

/**
 * Sums of n values in [-1, 1) added in another order differ by a few ulps of their partial sums, which
 * grow like sqrt(n): the tolerance (relative, on top of 1 + |result|) grows with it.
 */
function tolerance(shape: number[], axis: number | number[], op: "sum" | "mean"): number {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a + shape.length) % shape.length);
  const n = axes.reduce((count, a) => count * shape[a], 1);
  return 1e-5 * (op === "sum" ? 1 + Math.sqrt(n) : 1);
}

for (const [i, [shape, axis, keepDims]] of CASES.entries()) {
  for (const op of ["sum", "mean"] as const) {
    nativeTest(`native ${op} matches cpu: [${shape}] axis ${axis} keepDims ${keepDims}`, async () => {
      await assertSameOnNative(
        () => tf[op](randomTensor(shape, 60 + i), axis, keepDims),
        tolerance(shape, axis, op),
        `case ${i}`,
      );
    });
  }
}

nativeTest("native sum of int32 and of empty axes matches cpu", async () => {
  await assertSameOnNative(() => [
    tf.sum(tf.tensor([[1, 2], [3, 4]], undefined, "int32"), 0).toFloat(),
    tf.sum(tf.zeros([0, 3]), 0),
    tf.mean(randomTensor([3, 4], 1), 1),
  ]);
});
