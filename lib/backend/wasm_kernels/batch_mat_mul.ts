/**
 * BatchMatMul for the wasm backend, wrapping the shipped one: the shipped kernel runs on XNNPACK only
 * without transposes and with batch 1, and falls back to a scalar loop otherwise. Backpropagation
 * through a dense layer asks for exactly those transposed products (x^T·dy, dy·W^T).
 *
 * With a transposed operand, this kernel either transposes the operands explicitly (A'·B') or computes
 * the transposed product (C^T = op(B)^T·op(A)^T, where a transposed operand needs no copy) and
 * transposes C: whichever moves fewer floats. Both then run on XNNPACK.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { callShipped, free, matMulFast, reshape, transpose } from "./shipped.ts";

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const batchA = size(a.shape.slice(0, -2)), batchB = size(b.shape.slice(0, -2));
  if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== "float32") {
    return callShipped("BatchMatMul", backend, args.inputs, args.attrs ?? {});
  }
  const [ra, ca] = a.shape.slice(-2), [rb, cb] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ca, ra] : [ra, ca];
  const n = transposeB ? rb : cb;
  if (k !== (transposeB ? cb : rb)) {
    throw new Error(
      `matMul: inner sizes of [${a.shape}] and [${b.shape}] differ (transposeA ${transposeA}).`,
    );
  }
  const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), m, n];
  const a2 = reshape(backend, a, [ra, ca]), b2 = reshape(backend, b, [rb, cb]);
  // Floats moved: transposes plus XNNPACK's packing of the right operand.
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
  const swapped = (transposeA ? 0 : m * k) + (transposeB ? 0 : k * n) + k * m + m * n;
  let product: tf.TensorInfo;
  if (direct <= swapped) {
    const left = transposeA ? transpose(backend, a2, [1, 0]) : a2;
    const right = transposeB ? transpose(backend, b2, [1, 0]) : b2;
    product = matMulFast(backend, left, right);
    if (left !== a2) free(backend, left);
    if (right !== b2) free(backend, right);
  } else {
    const left = transposeB ? b2 : transpose(backend, b2, [1, 0]); // op(B)^T: (n, k)
    const right = transposeA ? a2 : transpose(backend, a2, [1, 0]); // op(A)^T: (k, m)
    const productT = matMulFast(backend, left, right); // (n, m)
    product = transpose(backend, productT, [1, 0]);
    if (left !== b2) free(backend, left);
    if (right !== a2) free(backend, right);
    free(backend, productT);
  }
  const out = reshape(backend, product, outShape);
  free(backend, a2, b2, product);
  return out;
}

/** Kernel config replacing the shipped wasm BatchMatMul with {@linkcode batchMatMul}. */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
