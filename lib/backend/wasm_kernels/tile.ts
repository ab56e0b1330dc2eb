/**
 * Tile for the wasm backend, replacing the shipped one, which computes a source index per output
 * float. Batch norm's gradient tiles per-channel vectors to the full NHWC shape, so this is large
 * work there. This kernel repeats whole contiguous blocks instead, innermost axis first: each axis
 * repeats the block below it `reps` times with one copy each (typed-array `set`, a memcpy).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs, values } from "./shipped.ts";

function tile(
  args: KernelArgs,
): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (x.dtype !== "float32" || reps.length !== x.shape.length) {
    return callShipped("Tile", backend, args.inputs, args.attrs ?? {});
  }
  const shape = [...x.shape];
  let current: Float32Array = values(backend, x).slice();
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (reps[axis] === 1) continue;
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const block = current.length / outer;
    const next = new Float32Array(current.length * reps[axis]);
    for (let o = 0; o < outer; o++) {
      const source = current.subarray(o * block, (o + 1) * block);
      for (let r = 0; r < reps[axis]; r++) next.set(source, (o * reps[axis] + r) * block);
    }
    current = next;
    shape[axis] *= reps[axis];
  }
  const out = backend.makeOutput(shape, "float32");
  values(backend, out).set(current);
  return out;
}

/** Kernel config replacing the shipped wasm Tile. */
export const tileConfig: tf.KernelConfig = {
  kernelName: "Tile",
  backendName: "wasm",
  kernelFunc: tile as unknown as tf.KernelFunc,
};
