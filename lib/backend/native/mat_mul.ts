/**
 * BatchMatMul and _FusedMatMul (what tfjs-layers' Dense runs) on OpenBLAS's `cblas_sgemm`, reading
 * both operands in place with any transposition; the fused bias is the product's starting value
 * and the activation one pass over the output. Small products run on one thread ({@linkcode SMALL_GEMM}).
 * PReLU and other batch broadcasts fall back to the wasm kernels.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { nativeLibs } from "./ffi.ts";
import { heapPointer } from "./heap.ts";
import { nativeThreads } from "./threads.ts";

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

const product = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** An activation applied in place over `out`, or undefined when this file has none for it. */
function activationFn(name: string, alpha: number): ((out: Float32Array) => void) | null | undefined {
  switch (name) {
    case "linear":
      return null;
    case "relu":
      return (o) => {
        for (let i = 0; i < o.length; i++) if (o[i] < 0) o[i] = 0;
      };
    case "relu6":
      return (o) => {
        for (let i = 0; i < o.length; i++) o[i] = o[i] < 0 ? 0 : o[i] > 6 ? 6 : o[i];
      };
    case "leakyrelu":
      return (o) => {
        for (let i = 0; i < o.length; i++) if (o[i] < 0) o[i] *= alpha;
      };
    case "elu":
      return (o) => {
        for (let i = 0; i < o.length; i++) if (o[i] < 0) o[i] = Math.expm1(o[i]);
      };
    case "sigmoid":
      return (o) => {
        for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-o[i]));
      };
    default:
      return undefined;
  }
}

/**
 * `out = op(a)·op(b) (+ bias)` over the batch, or false when the shapes need a broadcast this
 * kernel does not do.
 */
function matMul(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | undefined,
): tf.TensorInfo | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) {
    return undefined;
  }
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [k2, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== k2) return undefined;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const [batchA, batchB] = [product(outerA), product(outerB)];
  const sameOuter = outerA.join(",") === outerB.join(",");
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  const outer = batchA >= batchB ? outerA : outerB;
  const batch = Math.max(batchA, batchB);
  if (bias && (bias.dtype !== "float32" || (product(bias.shape) !== n && product(bias.shape) !== 1))) {
    return undefined;
  }
  const out = backend.makeOutput([...outer, m, n], "float32");
  if (batch * m * n === 0) return out;
  let beta = 0;
  if (bias) {
    const values = backend.typedArrayFromHeap(out) as Float32Array;
    const biasValues = backend.typedArrayFromHeap(bias) as Float32Array;
    if (biasValues.length === 1) values.fill(biasValues[0]);
    else for (let row = 0; row < values.length; row += n) values.set(biasValues, row);
    beta = 1;
  }
  if (k === 0) return out;
  const { blas } = nativeLibs();
  const [pa, pb, pc] = [heapPointer(backend, a), heapPointer(backend, b), heapPointer(backend, out)];
  const oneThread = batch * m * n * k < SMALL_GEMM;
  if (oneThread) blas.openblas_set_num_threads(1);
  for (let i = 0; i < batch; i++) {
    const offA = batchA === 1 ? 0 : i * m * k * 4, offB = batchB === 1 ? 0 : i * k * n * 4;
    blas.cblas_sgemm(
      ROW_MAJOR,
      transposeA ? TRANS : NO_TRANS,
      transposeB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      Deno.UnsafePointer.offset(pa!, offA),
      transposeA ? m : k,
      Deno.UnsafePointer.offset(pb!, offB),
      transposeB ? k : n,
      beta,
      Deno.UnsafePointer.offset(pc!, i * m * n * 4),
      n,
    );
  }
  if (oneThread) blas.openblas_set_num_threads(nativeThreads() || 1);
  return out;
}

/**
 * Products of fewer multiply-adds than this run on one OpenBLAS thread. OpenBLAS's workers spin for a
 * while after each product they share, on the cores oneDNN's threads need for the convolutions that
 * follow: the recommended DCGAN's step (a dozen dense products of about 4 million multiply-adds) ran
 * 11% faster with them on one thread, the products themselves no slower (2 cores; docs/speed.md).
 */
const SMALL_GEMM = 2 ** 24;

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  return matMul(args.backend, a, b, transposeA, transposeB, undefined) ??
    callShipped("BatchMatMul", args.backend, args.inputs, args.attrs ?? {});
}

function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs & {
    activation?: string;
    leakyreluAlpha?: number;
  };
  const activate = activationFn(attrs.activation ?? "linear", attrs.leakyreluAlpha ?? 0.2);
  const out = activate === undefined
    ? undefined
    : matMul(args.backend, a, b, attrs.transposeA, attrs.transposeB, bias ?? undefined);
  if (!out) return callShipped("_FusedMatMul", args.backend, args.inputs, args.attrs ?? {});
  activate?.(args.backend.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** Kernel config of the native BatchMatMul. */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "native",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};

/** Kernel config of the native _FusedMatMul. */
export const fusedMatMulConfig: tf.KernelConfig = {
  kernelName: "_FusedMatMul",
  backendName: "native",
  kernelFunc: fusedMatMul as unknown as tf.KernelFunc,
};
