/**
 * The one place the native backend talks to C: Deno FFI bindings of oneDNN (`libdnnl.so.2`, Debian
 * `libdnnl2`), OpenBLAS (`libopenblas.so.0`, Debian `libopenblas0-pthread`), the OpenMP runtime
 * oneDNN is built with (`libgomp.so.1`), and the project's own C kernels (c/kernels.c: optimizer
 * steps, upsampling, batch norm, convolutions with few output channels; compiled on first use by
 * shim.ts). oneDNN 2.6's C API passes every struct by pointer, so its descriptors live in
 * ArrayBuffers here.
 *
 * @example
 * ```ts
 * import { loadNativeLibs } from "./ffi.ts";
 * const libs = loadNativeLibs();
 * if (typeof libs === "string") console.log(`native backend off: ${libs}`);
 * ```
 *
 * @module
 */

const DNNL_SYMBOLS = {
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: { parameters: ["buffer", "i32", "buffer", "i32", "i32"], result: "i32" },
  dnnl_memory_desc_equal: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_dilated_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_binary_desc_init: { parameters: ["buffer", "i32", "buffer", "buffer", "buffer"], result: "i32" },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_execute: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_append_eltwise: { parameters: ["pointer", "f32", "i32", "f32", "f32"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_sgemm: {
    parameters: [
      "u8",
      "u8",
      "i64",
      "i64",
      "i64",
      "f32",
      "pointer",
      "i64",
      "pointer",
      "i64",
      "f32",
      "pointer",
      "i64",
    ],
    result: "i32",
  },
} as const;

const BLAS_SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const;

const OMP_SYMBOLS = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const;

const LIBC_SYMBOLS = {
  aligned_alloc: { parameters: ["usize", "usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
} as const;

/** n, h, w, c, out h, out w, out c, kernel h, kernel w, top and left padding of a small convolution. */
const SMALL_CONV_SIZES = [
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
  "i64",
] as const;

/** The project's own C functions (c/kernels.c, compiled by shim.ts). */
const C_KERNEL_SYMBOLS = {
  posterlab_rmsprop: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i64",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
    ],
    result: "void",
  },
  posterlab_adam: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i64",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
    ],
    result: "void",
  },
  posterlab_average: {
    parameters: ["pointer", "pointer", "pointer", "i64", "f32", "f32"],
    result: "void",
  },
  posterlab_upsample_nearest: {
    parameters: ["pointer", "pointer", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "void",
  },
  posterlab_upsample_nearest_grad: {
    parameters: ["pointer", "pointer", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "void",
  },
  posterlab_batch_norm_forward: {
    parameters: ["pointer", "pointer", "pointer", "pointer", "pointer", "pointer", "i64", "i64", "f32"],
    result: "i32",
  },
  posterlab_batch_norm_backward: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i64",
      "i64",
      "f32",
    ],
    result: "i32",
  },
  posterlab_middle_sums: {
    parameters: ["pointer", "pointer", "i64", "i64", "i64", "f32"],
    result: "i32",
  },
  posterlab_conv_small_forward: {
    parameters: ["pointer", "pointer", "pointer", "pointer", ...SMALL_CONV_SIZES],
    result: "i32",
  },
  posterlab_conv_small_backward_filter: {
    parameters: ["pointer", "pointer", "pointer", ...SMALL_CONV_SIZES],
    result: "i32",
  },
  posterlab_depthwise_backward_input: {
    parameters: ["pointer", "pointer", "pointer", ...Array<"i64">(15).fill("i64")],
    result: "i32",
  },
} as const;

/** The C kernels' symbols. */
export type CKernels = Deno.DynamicLibrary<typeof C_KERNEL_SYMBOLS>["symbols"];

/** Opens the compiled C kernels (shim.ts builds the file); throws when it does not load. */
export function openCKernels(path: string): CKernels {
  return Deno.dlopen(path, C_KERNEL_SYMBOLS).symbols;
}

/** The loaded libraries' symbols. */
export interface NativeLibs {
  dnnl: Deno.DynamicLibrary<typeof DNNL_SYMBOLS>["symbols"];
  blas: Deno.DynamicLibrary<typeof BLAS_SYMBOLS>["symbols"];
  omp: Deno.DynamicLibrary<typeof OMP_SYMBOLS>["symbols"];
  libc: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];
}

/** The apt-get line that installs what the native backend loads. */
export const NATIVE_PACKAGES_HINT = "apt-get install libdnnl2 libopenblas0-pthread";

let loaded: NativeLibs | string | undefined;

function open<S extends Deno.ForeignLibraryInterface>(file: string, symbols: S): Deno.DynamicLibrary<S> {
  try {
    return Deno.dlopen(file, symbols);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const reason = /cannot open shared object|No such file|not found/i.test(text)
      ? `${file} not found`
      : `${file} did not load (${text.split("\n")[0].slice(0, 200)})`;
    throw new Error(`${reason}: ${NATIVE_PACKAGES_HINT}`);
  }
}

/** The shared libraries the native backend opens (Debian's sonames). */
export const NATIVE_LIBRARY_FILES = {
  omp: "libgomp.so.1",
  dnnl: "libdnnl.so.2",
  blas: "libopenblas.so.0",
  libc: "libc.so.6",
};

/** How long an OpenMP thread spins for more work before it sleeps, when the user sets nothing. */
export const OPENMP_SPIN_COUNT = "10000";

/**
 * Sets `GOMP_SPINCOUNT` (libgomp, which oneDNN, the C kernels and Debian's PyTorch use) in this
 * process's environment, which OpenMP reads when it loads and child processes inherit, unless
 * `OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` is set already. A short spin (10,000 iterations, tens of
 * microseconds) lets a thread catch the next of a step's hundreds of parallel regions without a
 * futex wake-up, and sleeps before it steals a shared machine's core for long: the DCGAN step ran
 * 7% faster than with `OMP_WAIT_POLICY=PASSIVE` (no spin; 5 runs each, alternated), PyTorch's 15%;
 * libgomp's default (spinning up to 300,000 iterations) and `ACTIVE` were slower than both.
 */
export function setOpenMpWait(): void {
  if (Deno.env.get("OMP_WAIT_POLICY") === undefined && Deno.env.get("GOMP_SPINCOUNT") === undefined) {
    Deno.env.set("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT);
  }
}

/**
 * Opens the libraries named in `files` (uncached; {@linkcode loadNativeLibs} is the cached form).
 * Returns their symbols, or the one-line reason one cannot be used, such as
 * "libdnnl.so.2 not found: apt-get install libdnnl2 libopenblas0-pthread".
 */
export function openNativeLibs(files = NATIVE_LIBRARY_FILES): NativeLibs | string {
  try {
    // OpenMP reads it when it loads (the PyTorch peer runs with the same setting).
    setOpenMpWait();
    const omp = open(files.omp, OMP_SYMBOLS).symbols;
    const dnnl = open(files.dnnl, DNNL_SYMBOLS).symbols;
    const blas = open(files.blas, BLAS_SYMBOLS).symbols;
    const libc = open(files.libc, LIBC_SYMBOLS).symbols;
    return { dnnl, blas, omp, libc };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The native libraries opened once: their symbols, or (never throwing) why they cannot be used. */
export function loadNativeLibs(): NativeLibs | string {
  loaded ??= openNativeLibs();
  return loaded;
}

/** The native libraries, or an error with the reason they are missing. */
export function nativeLibs(): NativeLibs {
  const libs = loadNativeLibs();
  if (typeof libs === "string") throw new Error(`native backend unavailable: ${libs}`);
  return libs;
}

/** "oneDNN 2.6.3, OpenBLAS 0.3.21 ..." from the loaded libraries, or the reason they don't load. */
export function describeNativeLibs(): string {
  const libs = loadNativeLibs();
  if (typeof libs === "string") return libs;
  const version = new Deno.UnsafePointerView(libs.dnnl.dnnl_version()!);
  const dnnl = `oneDNN ${version.getInt32(0)}.${version.getInt32(4)}.${version.getInt32(8)}`;
  const blas = Deno.UnsafePointerView.getCString(libs.blas.openblas_get_config()!).trim();
  return `${dnnl} (libdnnl.so.2), ${blas} (libopenblas.so.0)`;
}
