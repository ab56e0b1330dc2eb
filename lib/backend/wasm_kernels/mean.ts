/**
 * Mean for the wasm backend: over leading axes (batch norm averages NHWC over N, H and W) without
 * the shipped kernel's transpose; see sum.ts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "./shipped.ts";
import { reduceLeadingAxes } from "./sum.ts";

/** Kernel config replacing the shipped wasm Mean. */
export const meanConfig: tf.KernelConfig = {
  kernelName: "Mean",
  backendName: "wasm",
  kernelFunc: ((args: KernelArgs) => reduceLeadingAxes("Mean", args)) as unknown as tf.KernelFunc,
};
