import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";
import { nativeLibs } from "../../../lib/backend/native/ffi.ts";
import { nativeThreads } from "../../../lib/backend/native/threads.ts";

const CASES: [number[], number[], boolean, boolean][] = [
  [[3, 5], [5, 7], false, false],
  [[5, 3], [5, 7], true, false],
  [[3, 5], [7, 5], false, true],
  [[5, 3], [7, 5], true, true],
  [[1, 9], [9, 1], false, false],
  [[4, 3, 5], [4, 5, 2], false, false],
  [[4, 5, 3], [4, 2, 5], true, true],
  [[4, 3, 5], [1, 5, 2], false, false],
  [[2, 3, 4, 5], [2, 3, 5, 6], false, false],
  // the genre CNN's dense layer at ratio 30 (flattened 18x12x64), batch 4, and its gradients
  [[4, 13824], [13824, 512], false, false],
  [[13824, 4], [4, 512], false, false],
  [[4, 512], [13824, 512], false, true],
];

for (const [i, [a, b, transposeA, transposeB]] of CASES.entries()) {
  nativeTest(
    `native BatchMatMul matches cpu: ${a} x ${b} transposeA ${transposeA} transposeB ${transposeB}`,
    async () => {
      await assertSameOnNative(
        () => tf.matMul(randomTensor(a, i), randomTensor(b, 100 + i), transposeA, transposeB),
        1e-4,
        `case ${i}`,
      );
    },
  );
}

for (const activation of ["linear", "relu", "sigmoid", "elu", "leakyrelu", "relu6", "prelu"] as const) {
  nativeTest(`native _FusedMatMul with bias and ${activation} matches cpu`, async () => {
    await assertSameOnNative(() =>
      tf.fused.matMul({
        a: randomTensor([6, 9], 1).mul(3),
        b: randomTensor([9, 4], 2),
        bias: randomTensor([4], 3),
        activation,
        leakyreluAlpha: 0.25,
        preluActivationWeights: activation === "prelu" ? randomTensor([4], 4) : undefined,
      })
    );
  });
}

nativeTest("native _FusedMatMul with transposed operands and no bias matches cpu", async () => {
  await assertSameOnNative(() =>
    tf.fused.matMul({
      a: randomTensor([9, 6], 1),
      b: randomTensor([4, 9], 2),
      transposeA: true,
      transposeB: true,
    })
  );
});

nativeTest(
  "a small product runs on one OpenBLAS thread and gives the threads back; a large one keeps them",
  async () => {
    await assertSameOnNative(
      () => tf.matMul(randomTensor([32, 6144], 7), randomTensor([6144, 19], 8)),
      1e-4,
      "small",
    );
    const { blas } = nativeLibs();
    assert.equal(blas.openblas_get_num_threads(), nativeThreads(), "the thread count is restored");
    await assertSameOnNative(
      () => tf.matMul(randomTensor([32, 13824], 9), randomTensor([13824, 512], 10)),
      1e-4,
      "large",
    );
    assert.equal(blas.openblas_get_num_threads(), nativeThreads());
  },
);
