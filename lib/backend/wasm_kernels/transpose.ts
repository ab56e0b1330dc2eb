/**
 * Transpose for the wasm backend, wrapping the shipped one, which walks the output in order and
 * gathers each element from a stride away: fine while rows are short, slow (a cache miss per float)
 * when a large matrix is transposed or channels swap with batch (as the filter gradient does).
 *
 * This kernel merges axes that stay together, then splits a large 2-D transpose into steps that
 * each move contiguous runs of floats or transpose blocks that fit in cache:
 * (R, C) → (R, C/b, b) → (C/b, R, b) → (C/b, b, R), and (a, P, b) → (P, a, b) → (P, b, a) → (b, P, a).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, type KernelArgs, reshape, transpose as shippedTranspose } from "./shipped.ts";

/** Below this many floats the shipped transpose is already cache-friendly enough. */
const SMALL = 1 << 16;
/** Width of the column blocks a large 2-D transpose moves at once. */
const BLOCK = 16;

/** Merges input axes that stay adjacent and in order under `perm`, dropping size-1 axes. */
export function mergeAxes(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups.at(-1);
    // Axes with size 1 in between don't break adjacency.
    const between = last ? shape.slice(last.at(-1)! + 1, axis) : [];
    if (last && axis > last.at(-1)! && between.every((s) => s === 1)) last.push(axis);
    else groups.push([axis]);
  }
  const order = [...groups].sort((g, h) => g[0] - h[0]);
  return {
    shape: order.map((g) => g.reduce((size, axis) => size * shape[axis], 1)),
    perm: groups.map((g) => order.indexOf(g)),
  };
}

/** Applies a sequence of (reshape, permute) steps, freeing the intermediates. */
function steps(backend: BackendWasm, x: tf.TensorInfo, plan: [number[], number[]][]): tf.TensorInfo {
  let current = x;
  for (const [shape, perm] of plan) {
    const shaped = reshape(backend, current, shape);
    const next = shippedTranspose(backend, shaped, perm);
    free(backend, shaped);
    if (current !== x) free(backend, current);
    current = next;
  }
  return current;
}

/** Transposes `x` by `perm` (any rank), choosing the cheap sequence of shipped transposes. */
export function transposeFast(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  const outShape = perm.map((axis) => x.shape[axis]);
  const merged = mergeAxes(x.shape, perm);
  const size = x.shape.reduce((a, b) => a * b, 1);
  const key = merged.perm.join(",");
  let out: tf.TensorInfo;
  if (merged.perm.every((axis, i) => axis === i)) {
    out = reshape(backend, x, outShape); // nothing moves
  } else if (size >= SMALL && key === "1,0" && merged.shape[1] % BLOCK === 0) {
    const [r, c] = merged.shape;
    out = steps(backend, x, [[[r, c / BLOCK, BLOCK], [1, 0, 2]], [[c / BLOCK, r, BLOCK], [0, 2, 1]]]);
  } else if (size >= SMALL && key === "2,1,0") {
    const [a, p, b] = merged.shape;
    out = steps(backend, x, [[[a, p, b], [1, 0, 2]], [[p, a, b], [0, 2, 1]], [[p, b, a], [1, 0, 2]]]);
  } else {
    const shaped = reshape(backend, x, merged.shape);
    out = shippedTranspose(backend, shaped, merged.perm);
    free(backend, shaped);
  }
  const result = reshape(backend, out, outShape);
  free(backend, out);
  return result;
}

function transposeKernel(
  args: KernelArgs,
): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return transposeFast(args.backend, x, (args.attrs as unknown as tf.TransposeAttrs).perm);
}

/** Kernel config replacing the shipped wasm Transpose with {@linkcode transposeFast}. */
export const transposeConfig: tf.KernelConfig = {
  kernelName: "Transpose",
  backendName: "wasm",
  kernelFunc: transposeKernel as unknown as tf.KernelFunc,
};
