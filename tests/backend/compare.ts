/**
 * Test helpers: run the same computation on the CPU backend and on wasm (with the project's kernels)
 * and compare the numbers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/select.ts";

let wasmReady: Promise<unknown> | undefined;

/** Random numbers in [-1, 1) from a seed, so a failure reproduces. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

/** Runs `compute` on cpu, then on wasm, returning both results as flat arrays (and their shapes). */
export async function onCpuAndWasm(
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; shapes: number[][] }> {
  wasmReady ??= initBackend("wasm", { log: () => {} });
  await wasmReady;
  const results: Record<string, { values: Float32Array[]; shapes: number[][] }> = {};
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const out = tf.tidy(compute);
    const list = Array.isArray(out) ? out : [out];
    results[backend] = {
      values: await Promise.all(list.map(async (t) => (await t.data()) as Float32Array)),
      shapes: list.map((t) => t.shape),
    };
    tf.dispose(list);
  }
  assert.deepEqual(results.wasm.shapes, results.cpu.shapes, "wasm and cpu results differ in shape");
  return { cpu: results.cpu.values, wasm: results.wasm.values, shapes: results.cpu.shapes };
}

/** Asserts |a-b| <= tol·(1+|b|) elementwise, naming the first index that differs. */
export function assertClose(actual: Float32Array, expected: Float32Array, tol = 1e-4, label = ""): void {
  assert.equal(actual.length, expected.length, `${label}: lengths differ`);
  for (let i = 0; i < expected.length; i++) {
    const limit = tol * (1 + Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
      assert.fail(`${label}: index ${i}: wasm ${actual[i]} vs cpu ${expected[i]} (tolerance ${limit})`);
    }
  }
}

/** Runs the same computation on both backends and asserts every output matches. */
export async function assertSameOnWasm(
  compute: () => tf.Tensor | tf.Tensor[],
  tol = 1e-4,
  label = "",
): Promise<void> {
  const { cpu, wasm } = await onCpuAndWasm(compute);
  cpu.forEach((expected, i) => assertClose(wasm[i], expected, tol, `${label} output ${i}`));
}
