/**
 * What the fused optimizers need to update variables in place on the WASM heap, which the wasm and
 * native backends share.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { CKernels } from "../backend/native/ffi.ts";
import { cKernelsIfLoaded } from "../backend/native/shim.ts";

/** True when the current backend keeps tensors on the WASM heap (wasm, or native: its instance). */
export function onWasmHeap(): boolean {
  return ["wasm", "native"].includes(tf.getBackend());
}

/**
 * The compiled optimizer steps when the native backend runs and they built (lib/backend/native/shim.ts);
 * undefined means the JavaScript loop.
 */
export function nativeSteps(): CKernels | undefined {
  return tf.getBackend() === "native" ? cKernelsIfLoaded() : undefined;
}

/** The float32 values of a tensor, in place on the heap (valid until the next allocation). */
export function heapValues(backend: BackendWasm, x: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(x) as Float32Array;
}

/**
 * Gives `variable` a buffer of its own before it is written in place: after `setWeights` (or a
 * clone, which shares buffers) its data may belong to a tensor the caller still reads.
 */
export function ownData(backend: BackendWasm, variable: tf.Variable): void {
  if (backend.refCount(variable.dataId) <= 1) return;
  const copy = backend.makeOutput(variable.shape, "float32");
  heapValues(backend, copy).set(heapValues(backend, variable));
  const tensor = tf.engine().makeTensorFromTensorInfo(copy, backend);
  variable.assign(tensor);
  tensor.dispose();
}
