/**
 * BatchMatMul for the wasm backend, wrapping the shipped one. The shipped kernel runs on XNNPACK only
 * without transposes and with batch 1 (a scalar loop otherwise), and XNNPACK first packs the right
 * operand, slowly for a large one: backpropagation through a dense layer hits both (x^T·dy, dy·W^T),
 * and its forward pass packs the freshly updated weights every step.
 *
 * For batch 1 this kernel picks the cheaper of two routes, both on XNNPACK:
 * - direct: op(A)·op(B), transposing an operand explicitly where asked;
 * - swapped: C^T = op(B)^T·op(A)^T, then C, where an operand asked transposed needs no copy and the
 *   packed operand is op(A)^T.
 * The cost counts floats moved: transposes, the output transpose, and packing (several times a
 * transpose per float), except for a right operand XNNPACK already holds packed (reused weights).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, free, type KernelArgs, matMulFast, reshape } from "./shipped.ts";
import { transposeFast } from "./transpose.ts";

/** Cost of packing one float relative to moving it in a transpose (measured: ~105 ms vs ~14 ms for 7M). */
const PACK_COST = 5;

/** Right operands the direct route has packed (XNNPACK keeps them, keyed by tensor). */
const packed = new WeakSet<object>();
/** Right operands seen once: a second use suggests reuse, worth packing. */
const seen = new WeakSet<object>();

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function batchMatMul(
  args: KernelArgs,
): tf.TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1 || a.dtype !== "float32") {
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

  const bPacking = transposeB ? PACK_COST : packed.has(b.dataId) ? 0 : seen.has(b.dataId) ? 1 : PACK_COST;
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n * bPacking;
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + k * m * PACK_COST + m * n;
  if (!transposeB) seen.add(b.dataId);

  const a2 = reshape(backend, a, [ra, ca]), b2 = reshape(backend, b, [rb, cb]);
  let product: tf.TensorInfo;
  if (direct <= swapped) {
    if (!transposeA && !transposeB) packed.add(b.dataId);
    const left = transposeA ? transposeFast(backend, a2, [1, 0]) : a2;
    const right = transposeB ? transposeFast(backend, b2, [1, 0]) : b2;
    product = matMulFast(backend, left, right);
    if (left !== a2) free(backend, left);
    if (right !== b2) free(backend, right);
  } else {
    const left = transposeB ? b2 : transposeFast(backend, b2, [1, 0]); // op(B)^T: (n, k)
    const right = transposeA ? a2 : transposeFast(backend, a2, [1, 0]); // op(A)^T: (k, m)
    const productT = matMulFast(backend, left, right); // (n, m)
    product = transposeFast(backend, productT, [1, 0]);
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
