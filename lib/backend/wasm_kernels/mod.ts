/**
 * The project's wasm kernels: the gradient kernels tfjs-backend-wasm lacks, and faster versions of
 * shipped kernels whose slow paths dominate training. Each lives in its own file and is tested
 * against the CPU backend in tests/backend/.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { captureShipped } from "./shipped.ts";
import { batchMatMulConfig } from "./batch_mat_mul.ts";
import { conv2DBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2DBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { depthwiseBackpropInputConfig } from "./depthwise_backprop_input.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { meanConfig } from "./mean.ts";
import { sumConfig } from "./sum.ts";
import { tileConfig } from "./tile.ts";
import { transposeConfig } from "./transpose.ts";

/** Every kernel the project registers for wasm, whether new or replacing a shipped one. */
export const WASM_KERNELS: tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropInputConfig,
  batchMatMulConfig,
  transposeConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  tileConfig,
];

/**
 * Shipped kernels the project's kernels call without replacing them; a replaced kernel's shipped
 * version is captured just before it is unregistered.
 */
const SHIPPED_DEPENDENCIES = ["Conv2D", "Reshape", "Slice", "Concat", "Identity"];

/**
 * Registers {@linkcode WASM_KERNELS} for the wasm backend (idempotent). A kernel that replaces a
 * shipped one unregisters it first; the shipped version stays reachable to the project's kernels.
 */
export function registerWasmKernels(): void {
  for (const name of SHIPPED_DEPENDENCIES) captureShipped(name);
  for (const config of WASM_KERNELS) {
    const current = tf.getKernel(config.kernelName, "wasm");
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      captureShipped(config.kernelName);
      tf.unregisterKernel(config.kernelName, "wasm");
    }
    tf.registerKernel(config);
  }
}
