/**
 * Sum and Mean over the leading or the trailing axes (a bias gradient sums an NHWC tensor over N, H
 * and W; a loss averages over the last axis), and over middle axes (a per-image, per-channel
 * gate's gradient sums over H and W). Over leading or middle axes: the C kernels' column sums
 * (c/kernels.c, the batch norm's register-blocked sums, on every thread), several times faster than
 * OpenBLAS's transposed matrix-vector product on a bias gradient of 32 columns and than the wasm
 * kernel on the middle axes. Over the trailing axes, and without the C kernels, one OpenBLAS
 * matrix-vector product with a vector of ones; other reductions go to the wasm kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { alignedBuffer } from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";
import { nativeThreads } from "./threads.ts";
import { heapPointer } from "./heap.ts";
import { cKernelsIfLoaded } from "./shim.ts";

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

let ones: { pointer: Deno.PointerValue; length: number } = { pointer: null, length: 0 };

/** A native vector of at least `length` ones (grown on demand, never freed). */
function onesVector(length: number): Deno.PointerValue {
  if (length > ones.length) {
    const size = Math.max(length, 2 * ones.length, 1024);
    const pointer = alignedBuffer(size * 4);
    new Float32Array(Deno.UnsafePointerView.getArrayBuffer(pointer!, size * 4)).fill(1);
    ones = { pointer, length: size };
  }
  return ones.pointer;
}

function reduce(name: "Sum" | "Mean", args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const contiguous = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === axes[0] + i);
  const leading = contiguous && axes[0] === 0;
  const trailing = contiguous && axes[axes.length - 1] === rank - 1;
  const kernels = cKernelsIfLoaded();
  if (x.dtype !== "float32" || !(leading || trailing || (contiguous && kernels))) {
    return callShipped(name, backend, args.inputs, args.attrs ?? {});
  }
  const outShape = keepDims
    ? x.shape.map((s, i) => (axes.includes(i) ? 1 : s))
    : x.shape.filter((_, i) => !axes.includes(i));
  const out = backend.makeOutput(outShape, "float32");
  const kept = outShape.reduce((a, b) => a * b, 1);
  const summed = axes.reduce((n, a) => n * x.shape[a], 1);
  if (kept === 0) return out;
  if (summed === 0) {
    (backend.typedArrayFromHeap(out) as Float32Array).fill(name === "Mean" ? NaN : 0);
    return out;
  }
  const scale = name === "Mean" ? 1 / summed : 1;
  if (kernels && !trailing) {
    // x as [outer, summed, inner]: the axes before, those summed, and those after.
    const outer = x.shape.slice(0, axes[0]).reduce((a, b) => a * b, 1);
    const status = kernels.posterlab_middle_sums(
      heapPointer(backend, x),
      heapPointer(backend, out),
      BigInt(outer),
      BigInt(summed),
      BigInt(kept / outer),
      scale,
    );
    if (status !== 0) throw new Error(`${name}: out of memory for its partial sums.`);
    return out;
  }
  const vector = onesVector(summed);
  // Leading: x is [summed, kept] and out = xᵀ·1; trailing: x is [kept, summed] and out = x·1.
  const [rows, columns] = leading ? [summed, kept] : [kept, summed];
  // One thread: a sum is bound by memory, and waking OpenBLAS's other threads cost more than it saved
  // (a DCGAN step's 70 sums took 4x longer on 2 threads than on 1 on the shared 2-core machine).
  const { blas } = nativeLibs();
  blas.openblas_set_num_threads(1);
  blas.cblas_sgemv(
    ROW_MAJOR,
    leading ? TRANS : NO_TRANS,
    rows,
    columns,
    scale,
    heapPointer(backend, x),
    columns,
    vector,
    1,
    0,
    heapPointer(backend, out),
    1,
  );
  blas.openblas_set_num_threads(nativeThreads() || 1);
  return out;
}

/** Kernel config of the native Sum. */
export const sumConfig: tf.KernelConfig = {
  kernelName: "Sum",
  backendName: "native",
  kernelFunc: ((args: KernelArgs) => reduce("Sum", args)) as unknown as tf.KernelFunc,
};

/** Kernel config of the native Mean. */
export const meanConfig: tf.KernelConfig = {
  kernelName: "Mean",
  backendName: "native",
  kernelFunc: ((args: KernelArgs) => reduce("Mean", args)) as unknown as tf.KernelFunc,
};
