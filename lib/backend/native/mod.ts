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
import { conv2DConfig, fusedConv2DConfig } from "./conv2d.ts";
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from "./conv2d_backprop.ts";
import { batchMatMulConfig, fusedMatMulConfig } from "./mat_mul.ts";
import { clearPlans } from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";

export { loadNativeLibs, NATIVE_PACKAGES_HINT } from "./ffi.ts";

/** Every kernel the native backend runs in oneDNN or OpenBLAS instead of wasm. */
export const NATIVE_KERNELS: tf.KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
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

let threads = 0;

/** Threads oneDNN (OpenMP) and OpenBLAS use from now on; cached oneDNN plans are rebuilt for them. */
export function setNativeThreads(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`--threads needs a whole number of at least 1, got ${count}.`);
  }
  if (count === threads) return;
  const { omp, blas } = nativeLibs();
  omp.omp_set_num_threads(count);
  blas.openblas_set_num_threads(count);
  clearPlans();
  threads = count;
}

/** The thread count last set by {@linkcode setNativeThreads} (0 before). */
export function nativeThreads(): number {
  return threads;
}
