/**
 * Where a tensor of the native backend lives: on the WASM heap it shares with the wasm backend, so
 * native kernels read and write tensors in place, and every wasm kernel works on them unchanged.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * The address of a float32 tensor's data for a C call. Valid until the WASM heap next grows (any
 * allocation may grow it), so a kernel allocates its outputs first and takes pointers after.
 */
export function heapPointer(backend: BackendWasm, t: tf.TensorInfo): Deno.PointerValue {
  if (t.dtype !== "float32") throw new Error(`native kernels take float32 tensors, got ${t.dtype}`);
  return Deno.UnsafePointer.of(backend.typedArrayFromHeap(t) as Float32Array<ArrayBuffer>);
}
