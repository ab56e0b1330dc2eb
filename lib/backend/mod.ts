/**
 * TensorFlow.js backends: choosing one ({@linkcode initBackend}) and the project's wasm kernels.
 *
 * @module
 */
export {
  type BackendChoice,
  initBackend,
  type InitBackendOptions,
  type SkippedBackend,
  tryBackend,
} from "./select.ts";
export { registerWasmKernels, WASM_KERNELS } from "./wasm_kernels/mod.ts";
export {
  describeNativeLibs,
  loadCKernels,
  loadNativeLibs,
  NATIVE_KERNELS,
  NATIVE_PACKAGES_HINT,
  nativeThreads,
  registerNativeBackend,
  setNativeThreads,
} from "./native/mod.ts";
