/**
 * Sum for the wasm backend, wrapping the shipped one for one common case it handles slowly: summing
 * over the leading axes (a bias gradient sums an NHWC tensor over N, H and W). The shipped kernel
 * first transposes the summed axes to the end, a cache-unfriendly pass; this one adds rows in place,
 * in JavaScript on the wasm heap, accumulating in double precision.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { callShipped, values } from "./shipped.ts";

function sum(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.every((a, i) => a === i) && axes.length < x.shape.length;
  if (x.dtype !== "float32" || !leading || axes.length === 0) {
    return callShipped("Sum", backend, args.inputs, args.attrs ?? {});
  }
  const columns = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? x.shape.map((s, i) => (i < axes.length ? 1 : s)) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, "float32");
  const v = values(backend, x), total = new Float64Array(columns);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++, i++) total[c] += v[i];
  }
  values(backend, out).set(total);
  return out;
}

/** Kernel config replacing the shipped wasm Sum with {@linkcode sum}. */
export const sumConfig: tf.KernelConfig = {
  kernelName: "Sum",
  backendName: "wasm",
  kernelFunc: sum as unknown as tf.KernelFunc,
};
