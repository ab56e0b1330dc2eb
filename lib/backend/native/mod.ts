/**
 * The `native` TensorFlow.js backend: the wasm backend (same instance, same WASM heap, every wasm
 * kernel and the project's wasm kernels) under another name, with the heavy kernels replaced by
 * oneDNN convolutions and OpenBLAS matrix products that run in place on the heap, on every core.
 *
 * Why the WASM heap: tensors stay where every other (single-threaded, XNNPACK) wasm kernel can
 * use them with no copy; the price is wasm32's 4 GiB ceiling on live tensors.
 *
 * @example
 * ```ts
 * import { initBackend } from "../select.ts";
 * await initBackend("native", { threads: 2 });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { castConfig, identityConfig } from "./alias.ts";
import { conv2DConfig, fusedConv2DConfig } from "./conv2d.ts";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./conv2d_backprop.ts";
import { depthwiseBackpropInputConfig } from "./depthwise_backprop.ts";
import { batchMatMulConfig, fusedMatMulConfig } from "./mat_mul.ts";
import { maxPoolConfig, maxPoolGradConfig } from "./max_pool.ts";
import { meanConfig, sumConfig } from "./sum.ts";
import { ELEMENTWISE_KERNELS } from "./elementwise.ts";
import { ACTIVATION_GRAD_KERNELS } from "./activation_grad.ts";
import { BATCH_NORM_KERNELS } from "./batch_norm.ts";
import { RESIZE_KERNELS } from "./resize.ts";
import { shiftImagesConfig } from "./shift_images.ts";

export { installActivationGradients } from "./activation_grad.ts";
export { installNativeBatchNorm } from "./batch_norm.ts";
export { loadCKernels } from "./shim.ts";

export { describeNativeLibs, loadNativeLibs, NATIVE_PACKAGES_HINT } from "./ffi.ts";

/** Every kernel the native backend runs in oneDNN or OpenBLAS instead of wasm (or, for the aliases, differently). */
export const NATIVE_KERNELS: tf.KernelConfig[] = [
  identityConfig,
  castConfig,
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  ...ELEMENTWISE_KERNELS,
  ...ACTIVATION_GRAD_KERNELS,
  ...BATCH_NORM_KERNELS,
  ...RESIZE_KERNELS,
  shiftImagesConfig,
];

/**
 * Registers the `native` backend and its kernels (idempotent). The wasm backend must be
 * initialised (tf.setBackend("wasm")) with the project's wasm kernels registered: `native` shares
 * its instance, so both names see the same tensors and the wasm kernels' module bindings agree.
 */
export function registerNativeBackend(): void {
  if (tf.findBackendFactory("native") === null) {
    tf.registerBackend("native", () => {
      const wasm = tf.findBackend("wasm");
      if (!wasm) throw new Error("the native backend needs the wasm backend initialised first");
      return wasm;
    }, 0);
  }
  const native = new Set(NATIVE_KERNELS.map((k) => k.kernelName));
  for (const config of NATIVE_KERNELS) {
    if (tf.getKernel(config.kernelName, "native")?.kernelFunc !== config.kernelFunc) {
      if (tf.getKernel(config.kernelName, "native")) tf.unregisterKernel(config.kernelName, "native");
      tf.registerKernel(config);
    }
  }
  for (const config of tf.getKernelsForBackend("wasm")) {
    if (native.has(config.kernelName)) continue;
    const current = tf.getKernel(config.kernelName, "native");
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, "native");
    tf.registerKernel({ ...config, backendName: "native" });
  }
}

export { nativeThreads, setNativeThreads } from "./threads.ts";
