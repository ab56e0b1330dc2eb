/**
 * Test helpers: run the same computation on the CPU backend and on wasm (with the project's kernels)
 * or native (oneDNN/OpenBLAS) and compare the numbers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/select.ts";

const ready = new Map<string, Promise<unknown>>();

/** Random numbers in [-1, 1) from a seed, so a failure reproduces. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

/** Runs `compute` on cpu, then on wasm, returning both results as flat arrays (and their shapes). */
export async function onCpuAndWasm(
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; shapes: number[][] }> {
  return await onCpuAnd("wasm", compute);
}

/**
 * Runs `compute` on cpu, then on `backend` (wasm or native), returning both results as flat arrays
 * (the second under the key `wasm`) and their shapes.
 */
export async function onCpuAnd(
  backendName: "wasm" | "native",
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; shapes: number[][] }> {
  if (!ready.has(backendName)) ready.set(backendName, initBackend(backendName, { log: () => {} }));
  await ready.get(backendName);
  const results: Record<string, { values: Float32Array[]; shapes: number[][] }> = {};
  for (const backend of ["cpu", backendName]) {
    await tf.setBackend(backend);
    const out = tf.tidy(compute);
    const list = Array.isArray(out) ? out : [out];
    results[backend] = {
      values: await Promise.all(list.map(async (t) => (await t.data()) as Float32Array)),
      shapes: list.map((t) => t.shape),
    };
    tf.dispose(list);
  }
  const other = results[backendName];
  assert.deepEqual(other.shapes, results.cpu.shapes, `${backendName} and cpu results differ in shape`);
  return { cpu: results.cpu.values, wasm: other.values, shapes: results.cpu.shapes };
}

/** Asserts |a-b| <= tol·(1+|b|) elementwise, naming the first index that differs. */
export function assertClose(actual: Float32Array, expected: Float32Array, tol = 1e-4, label = ""): void {
  assert.equal(actual.length, expected.length, `${label}: lengths differ`);
  for (let i = 0; i < expected.length; i++) {
    const limit = tol * (1 + Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
      assert.fail(`${label}: index ${i}: got ${actual[i]} vs cpu ${expected[i]} (tolerance ${limit})`);
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

/** Runs the same computation on cpu and on the native backend and asserts every output matches. */
export async function assertSameOnNative(
  compute: () => tf.Tensor | tf.Tensor[],
  tol = 1e-4,
  label = "",
): Promise<void> {
  const { cpu, wasm: native } = await onCpuAnd("native", compute);
  cpu.forEach((expected, i) => assertClose(native[i], expected, tol, `${label} output ${i}`));
}
