import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { SpectralConv2D, SpectralDense, spectralNormalise } from "../../lib/models/spectral_norm.ts";

await tf.setBackend("cpu");

/** The largest singular value of a [rows, cols] matrix, by many power iterations in float64. */
function topSingularValue(values: Float32Array, rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => 1 + i / cols);
  let sigma = 0;
  for (let iteration = 0; iteration < 500; iteration++) {
    const u = Array.from({ length: rows }, (_, r) => v.reduce((s, x, c) => s + values[r * cols + c] * x, 0));
    const next = Array.from(
      { length: cols },
      (_, c) => u.reduce((s, x, r) => s + values[r * cols + c] * x, 0),
    );
    const norm = Math.hypot(...next);
    sigma = Math.sqrt(norm);
    v = next.map((x) => x / norm);
  }
  return sigma;
}

Deno.test("spectralNormalise divides a kernel by its top singular value once the power iteration converges", () => {
  const kernel = tf.randomNormal([3, 3, 2, 5], 0, 1, "float32", 4);
  let u = tf.randomNormal([1, 5], 0, 1, "float32", 5) as tf.Tensor2D;
  let normalised = kernel;
  for (let i = 0; i < 50; i++) ({ kernel: normalised, u } = spectralNormalise(kernel, u));
  const sigma = topSingularValue(normalised.dataSync() as Float32Array, 18, 5);
  assert.ok(Math.abs(sigma - 1) < 1e-3, `spectral norm after normalising: ${sigma}`);
  assert.ok(topSingularValue(kernel.dataSync() as Float32Array, 18, 5) > 2); // it was not 1 before
});

Deno.test("gradients flow through the normalised kernel, not through the power-iteration vector", () => {
  const kernel = tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 6));
  const u = tf.randomNormal([1, 3], 0, 1, "float32", 7) as tf.Tensor2D;
  const { grads } = tf.variableGrads(() => spectralNormalise(kernel, u).kernel.sum() as tf.Scalar);
  const g = grads[kernel.name].dataSync();
  assert.ok(g.every(Number.isFinite));
  assert.ok(g.some((x) => Math.abs(x) > 1e-6));
});

Deno.test("SpectralConv2D and SpectralDense: shapes, and u moves only in training calls", () => {
  const conv = new SpectralConv2D({ filters: 6, kernelSize: 4, strides: 2, seed: 1 });
  const x = tf.randomNormal([2, 12, 8, 3], 0, 1, "float32", 1);
  assert.deepEqual((conv.apply(x) as tf.Tensor).shape, [2, 6, 4, 6]);
  const u = () => Array.from(conv.getWeights().at(-1)!.dataSync());
  const before = u();
  conv.apply(x);
  assert.deepEqual(u(), before);
  conv.apply(x, { training: true });
  assert.notDeepEqual(u(), before);
  const dense = new SpectralDense({ units: 3, seed: 2 });
  assert.deepEqual((dense.apply(tf.ones([5, 7])) as tf.Tensor).shape, [5, 3]);
});
