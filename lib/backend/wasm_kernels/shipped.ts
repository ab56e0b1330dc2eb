/**
 * The kernels tfjs-backend-wasm ships, called directly from the project's own wasm kernels.
 *
 * A kernel may not call tf ops (that would record them on the gradient tape), so the project's
 * kernels compose the shipped ones: XNNPACK convolutions and matrix products, transposes, slices.
 * The shipped functions are captured before the project overrides any of them, so an override can
 * still reach the kernel it replaces.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type TensorInfo = tf.TensorInfo;

/**
 * What tfjs passes a wasm kernel: its inputs, the backend and the op's attributes. The project's wasm
 * kernels and the native ones (lib/backend/native/) all take this.
 */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap };
type KernelFn = (args: KernelArgs) => TensorInfo;

const shipped = new Map<string, KernelFn>();

/** Remembers the shipped wasm kernel `name` (first call wins, so overrides never shadow it). */
export function captureShipped(name: string): void {
  if (shipped.has(name)) return;
  const config = tf.getKernel(name, "wasm");
  if (!config) throw new Error(`tfjs-backend-wasm has no '${name}' kernel to build on.`);
  shipped.set(name, config.kernelFunc as unknown as KernelFn);
}

function call(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs = {}): TensorInfo {
  captureShipped(name);
  return shipped.get(name)!({ inputs, backend, attrs });
}

/** Frees a tensor made inside a kernel. */
export function free(backend: BackendWasm, ...tensors: TensorInfo[]): void {
  for (const t of tensors) backend.disposeData(t.dataId);
}

/** Explicit padding `[[0,0],[top,bottom],[left,right],[0,0]]` as tfjs's conv attrs take it. */
export type ExplicitPad = [[0, 0], [number, number], [number, number], [0, 0]];

/** XNNPACK NHWC convolution (the shipped Conv2D kernel). */
export function conv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  options: { strides?: [number, number]; dilations?: [number, number]; pad: ExplicitPad | "valid" | "same" },
): TensorInfo {
  return call("Conv2D", backend, { x, filter }, {
    strides: options.strides ?? [1, 1],
    dilations: options.dilations ?? [1, 1],
    pad: options.pad,
    dataFormat: "NHWC",
  });
}

/** Axis permutation (the shipped Transpose kernel). */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return call("Transpose", backend, { x }, { perm });
}

/** Same data, new shape (shares the buffer; free it like any other result). */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return call("Reshape", backend, { x }, { shape });
}

/** A box of `x` (the shipped Slice kernel). */
export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return call("Slice", backend, { x }, { begin, size });
}

/** Joins tensors along `axis` (the shipped Concat kernel). */
export function concat(backend: BackendWasm, tensors: TensorInfo[], axis: number): TensorInfo {
  return call("Concat", backend, tensors as unknown as tf.NamedTensorInfoMap, { axis });
}

/** A new float32 tensor filled by `fill` writing into its wasm heap memory. */
export function makeTensor(
  backend: BackendWasm,
  shape: number[],
  fill: (values: Float32Array) => void,
): TensorInfo {
  const out = backend.makeOutput(shape, "float32");
  fill(backend.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** The float32 values of a tensor, read in place from the wasm heap (valid until the next allocation). */
export function values(backend: BackendWasm, x: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(x) as Float32Array;
}

/** The (k, n) shape each right operand's data was packed with by XNNPACK. */
const packedShapes = new WeakMap<object, string>();

/**
 * Plain `a·b` of 2-D tensors: the only case the shipped kernel runs on XNNPACK.
 *
 * XNNPACK keeps `b` packed, keyed by its tensor id only, so the same data seen again with another
 * shape (a reshape shares data) would reuse the wrong packing and write out of bounds. Such a `b`
 * is copied first, under a new id.
 */
export function matMulFast(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const shape = b.shape.join(",");
  const known = packedShapes.get(b.dataId);
  if (known === undefined || known === shape) {
    packedShapes.set(b.dataId, shape);
    return call("BatchMatMul", backend, { a, b }, { transposeA: false, transposeB: false });
  }
  const copy = call("Identity", backend, { x: b });
  packedShapes.set(copy.dataId, shape);
  const out = call("BatchMatMul", backend, { a, b: copy }, { transposeA: false, transposeB: false });
  free(backend, copy);
  return out;
}

/** Calls the shipped kernel `name` as it is (for cases an override does not improve). */
export function callShipped(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): TensorInfo {
  return call(name, backend, inputs, attrs);
}
