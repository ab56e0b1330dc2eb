/**
 * How many threads the native backend's libraries use: oneDNN (OpenMP) and OpenBLAS.
 *
 * @module
 */
import { clearPlans } from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";

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
