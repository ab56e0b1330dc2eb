/**
 * Element-wise kernels on oneDNN for large tensors: broadcasting binary ops (Add, Sub, Multiply,
 * RealDiv, Maximum, Minimum; same-shape ones stay on XNNPACK, as fast within noise, without waking
 * threads) and unary ones (Relu, LeakyRelu, Elu, Tanh, Sigmoid, Exp,
 * Log, Sqrt, Square, Abs), JIT-compiled and on every core. Below {@linkcode MIN_NATIVE_ELEMENTS}
 * elements, and for broadcasts oneDNN does not take (both operands broadcast, or the first one of a
 * non-commutative op), the wasm kernels run: there, waking the threads costs more than the op.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { cached, check, DNNL, memoryDesc, namedPlan, type Plan, primitiveDesc } from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";
import { heapPointer } from "./heap.ts";

/** Outputs smaller than this run on the wasm kernels. */
export const MIN_NATIVE_ELEMENTS = 1 << 16;

/** sizeof(dnnl_eltwise_desc_t) in oneDNN 2.6. */
export const ELTWISE_DESC_BYTES = 1416;
const BINARY_DESC_BYTES = 2096;
/** dnnl_a, dnnl_ab, ... dnnl_abcdef: plain row-major layouts by rank. */
const PLAIN_TAGS = [0, 2, 3, 4, 5, 7, 8];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function binaryPlan(alg: number, shape: number[], shape1: number[]): Plan {
  return cached(`binary|${alg}|${shape}|${shape1}`, () => {
    const tag = PLAIN_TAGS[shape.length];
    const md0 = memoryDesc(shape, tag), md1 = memoryDesc(shape1, tag), mdOut = memoryDesc(shape, tag);
    const desc = new Uint8Array(BINARY_DESC_BYTES);
    check(nativeLibs().dnnl.dnnl_binary_desc_init(desc, alg, md0, md1, mdOut), "binary_desc_init");
    return namedPlan(primitiveDesc(desc), {
      a: [DNNL.argSrc, md0],
      b: [DNNL.argSrc1, md1],
      out: [DNNL.argDst, mdOut],
    });
  });
}

function eltwisePlan(alg: number, alpha: number, beta: number, length: number): Plan {
  return cached(`eltwise|${alg}|${alpha}|${beta}|${length}`, () => {
    const md = memoryDesc([length], DNNL.tagA);
    const desc = new Uint8Array(ELTWISE_DESC_BYTES);
    check(
      nativeLibs().dnnl.dnnl_eltwise_forward_desc_init(desc, DNNL.forwardInference, alg, md, alpha, beta),
      "eltwise_forward_desc_init",
    );
    return namedPlan(primitiveDesc(desc), { x: [DNNL.argSrc, md], y: [DNNL.argDst, md] });
  });
}

/**
 * The operands as oneDNN takes them, padded to one rank: the first full-size, the second equal or 1
 * on each axis; undefined when that needs the first broadcast and the op does not commute.
 */
function binaryOperands(a: tf.TensorInfo, b: tf.TensorInfo, commutes: boolean) {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const rank = Math.max(outShape.length, 1);
  const pad = (shape: number[]) => [...Array(rank - shape.length).fill(1), ...shape];
  const [shapeA, shapeB, out] = [pad(a.shape), pad(b.shape), pad(outShape)];
  const full = (s: number[]) => s.every((d, i) => d === out[i]);
  const fits = (s: number[]) => s.every((d, i) => d === out[i] || d === 1);
  if (rank > 6) return undefined;
  if (full(shapeA) && fits(shapeB)) return { first: a, second: b, shape: out, shape1: shapeB, outShape };
  if (commutes && full(shapeB) && fits(shapeA)) {
    return { first: b, second: a, shape: out, shape1: shapeA, outShape };
  }
  return undefined;
}

function binaryKernel(kernelName: string, alg: number, commutes: boolean): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const { backend } = args;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ops = a.dtype === "float32" && b.dtype === "float32" ? binaryOperands(a, b, commutes) : undefined;
    const broadcast = ops !== undefined && ops.shape1.join() !== ops.shape.join();
    if (!ops || !broadcast || size(ops.shape) < MIN_NATIVE_ELEMENTS) {
      return callShipped(kernelName, backend, args.inputs, args.attrs ?? {});
    }
    const out = backend.makeOutput(ops.outShape, "float32");
    binaryPlan(alg, ops.shape, ops.shape1).run({
      a: heapPointer(backend, ops.first),
      b: heapPointer(backend, ops.second),
      out: heapPointer(backend, out),
    });
    return out;
  };
  return { kernelName, backendName: "native", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

function unaryKernel(
  kernelName: string,
  alg: number,
  params: (attrs: tf.NamedAttrMap) => [number, number] = () => [0, 0],
): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const { backend } = args;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const length = size(x.shape);
    if (x.dtype !== "float32" || length < MIN_NATIVE_ELEMENTS) {
      return callShipped(kernelName, backend, args.inputs, args.attrs ?? {});
    }
    const [alpha, beta] = params(args.attrs ?? {});
    const y = backend.makeOutput(x.shape, "float32");
    eltwisePlan(alg, alpha, beta, length).run({ x: heapPointer(backend, x), y: heapPointer(backend, y) });
    return y;
  };
  return { kernelName, backendName: "native", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** Every element-wise kernel of this file. */
export const ELEMENTWISE_KERNELS: tf.KernelConfig[] = [
  binaryKernel("Add", DNNL.binaryAdd, true),
  binaryKernel("Multiply", DNNL.binaryMul, true),
  binaryKernel("Maximum", DNNL.binaryMax, true),
  binaryKernel("Minimum", DNNL.binaryMin, true),
  binaryKernel("Sub", DNNL.binarySub, false),
  binaryKernel("RealDiv", DNNL.binaryDiv, false),
  unaryKernel("Relu", DNNL.eltwiseRelu),
  unaryKernel("LeakyRelu", DNNL.eltwiseRelu, (attrs) => [attrs.alpha as number, 0]),
  unaryKernel("Elu", DNNL.eltwiseElu, () => [1, 0]),
  unaryKernel("Tanh", DNNL.eltwiseTanh),
  unaryKernel("Sigmoid", DNNL.eltwiseLogistic),
  unaryKernel("Exp", DNNL.eltwiseExp),
  unaryKernel("Log", DNNL.eltwiseLog),
  unaryKernel("Sqrt", DNNL.eltwiseSqrt),
  unaryKernel("Square", DNNL.eltwiseSquare),
  unaryKernel("Abs", DNNL.eltwiseAbs),
];
