/**
 * Sum for the wasm backend, wrapping the shipped one for one common case it handles slowly: summing
 * over the leading axes (a bias gradient sums an NHWC tensor over N, H and W). The shipped kernel
 * first transposes the summed axes to the end, a cache-unfriendly pass; this one adds rows in place,
 * in JavaScript on the wasm heap, accumulating in double precision. Mean (mean.ts) shares it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs, values } from "./shipped.ts";

/**
 * Sums (or, with `mean`, averages) `x` over `axis` when those are its leading axes; otherwise runs
 * the shipped kernel `name`.
 */
export function reduceLeadingAxes(name: "Sum" | "Mean", args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== "float32" || !leading) return callShipped(name, backend, args.inputs, args.attrs ?? {});
  const columns = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? x.shape.map((s, i) => (i < axes.length ? 1 : s)) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, "float32");
  const v = values(backend, x), total = new Float64Array(columns);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++, i++) total[c] += v[i];
  }
  if (name === "Mean") { for (let c = 0; c < columns; c++) total[c] /= rows; }
  values(backend, out).set(total);
  return out;
}

/** Kernel config replacing the shipped wasm Sum. */
export const sumConfig: tf.KernelConfig = {
  kernelName: "Sum",
  backendName: "wasm",
  kernelFunc: ((args: KernelArgs) => reduceLeadingAxes("Sum", args)) as unknown as tf.KernelFunc,
};
