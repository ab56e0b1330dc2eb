import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/backend/select.ts";
import { assertClose, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

/** Upsampled output and the gradient of a weighted sum of it, for `x` of `shape` resized to `size`. */
function resized(shape: number[], size: [number, number], halfPixelCenters = false): tf.Tensor[] {
  const x = randomTensor(shape, 1) as tf.Tensor4D;
  const weights = randomTensor([shape[0], ...size, shape[3]], 2);
  const f = (input: tf.Tensor) =>
    tf.image.resizeNearestNeighbor(input as tf.Tensor4D, size, false, halfPixelCenters);
  return [f(x), tf.grad((input: tf.Tensor) => f(input).mul(weights).sum())(x)];
}

// The generator's 2x layers (its first and a large one), odd sizes, 3x and 2x3 factors, and shapes
// the C loops leave to wasm (a non-whole factor, half-pixel centres).
const CASES: [number[], [number, number], boolean?][] = [
  [[32, 6, 4, 256], [12, 8]],
  [[4, 48, 32, 32], [96, 64]],
  [[3, 5, 7, 3], [10, 14]],
  [[2, 4, 3, 5], [12, 9]],
  [[2, 4, 3, 5], [8, 9]],
  [[2, 4, 6, 5], [6, 9]],
  [[2, 4, 3, 5], [8, 6], true],
];

/** `compute` on wasm and on native, as flat arrays. */
async function onWasmAndNative(compute: () => tf.Tensor[]): Promise<Float32Array[][]> {
  const results: Float32Array[][] = [];
  for (const backend of ["wasm", "native"] as const) {
    await initBackend(backend, { log: () => {} });
    const out = tf.tidy(compute);
    results.push(await Promise.all(out.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(out);
  }
  return results;
}

// The reference is wasm, not cpu: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad offsets every
// batch image after the first wrongly (the hand-worked case below gives 19 there instead of 100).
for (const [shape, size, half] of CASES) {
  nativeTest(
    `native nearest upsampling and its gradient match wasm: ${shape} to ${size}${half ? ", half-pixel" : ""}`,
    async () => {
      const [wasm, native] = await onWasmAndNative(() => resized(shape, size, half));
      wasm.forEach((expected, i) =>
        assertClose(native[i], expected, 1e-6, `resize ${shape} to ${size} output ${i}`)
      );
    },
  );
}

nativeTest(
  "native nearest-upsampling gradient sums each image's 2x2 blocks (a case worked by hand)",
  async () => {
    await initBackend("native", { log: () => {} });
    const x = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    const w = tf.tensor4d([1, 2, 3, 4, 10, 20, 30, 40], [2, 2, 2, 1]);
    const dx = tf.grad((input: tf.Tensor) =>
      tf.image.resizeNearestNeighbor(input as tf.Tensor4D, [2, 2]).mul(w).sum()
    )(x);
    assert.deepEqual([...await dx.data()], [10, 100]);
    assert.deepEqual([...await tf.image.resizeNearestNeighbor(x, [2, 2]).data()], [1, 1, 1, 1, 2, 2, 2, 2]);
  },
);
