/**
 * Identity, and Cast to the same dtype, without a copy: the output shares the input's WASM heap
 * buffer (reference-counted, as the wasm backend's Reshape already does). The wasm kernels copy;
 * the gradient tape clones every activation, so a ratio-30 CNN step copied ~80 tensors, ~6% of it.
 *
 * Safe because nothing writes a tensor in place except the fused optimizers, which first give a
 * shared buffer a copy of its own (lib/training/rmsprop.ts `ownData`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";

function share(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return x.dtype === "string"
    ? callShipped("Identity", args.backend, args.inputs, {})
    : share(args.backend, x);
}

function cast(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  return dtype === x.dtype && dtype !== "string"
    ? share(args.backend, x)
    : callShipped("Cast", args.backend, args.inputs, args.attrs ?? {});
}

/** Kernel config of the native Identity. */
export const identityConfig: tf.KernelConfig = {
  kernelName: "Identity",
  backendName: "native",
  kernelFunc: identity as unknown as tf.KernelFunc,
};

/** Kernel config of the native Cast. */
export const castConfig: tf.KernelConfig = {
  kernelName: "Cast",
  backendName: "native",
  kernelFunc: cast as unknown as tf.KernelFunc,
};
