/**
 * The native backend's own C code (lib/backend/native/c/kernels.c: the fused Adam and RMSprop steps,
 * nearest-neighbour upsampling and its gradient, batch norm in training, sums over leading or middle
 * axes, convolutions with few output channels, the depthwise convolution's input gradient), compiled
 * from source with the machine's C compiler on first use, never committed as a binary. oneDNN has no
 * optimizer primitive, and the JavaScript loops the steps replace ran single-threaded at about 7 ns a
 * weight: 52 ms a step for the genre CNN v1's 7.1M weights at ratio 30. `POSTERLAB_NO_C_KERNELS=1` runs without them, on their fallbacks (to
 * tell a fault in a C kernel from the rest; the tests run the native kernels' tests that way too).
 *
 * The library goes to `.cache/native/` in the project, named by a hash of the source, the compiler
 * command and the CPU (it is built for this CPU), written to a temporary name and renamed, so a
 * second process never loads half a file. Without a compiler the steps stay in JavaScript: same
 * numbers, slower, and {@linkcode loadCKernels} says why.
 *
 * @example
 * ```ts
 * import { loadCKernels } from "./shim.ts";
 * const steps = loadCKernels();
 * console.log(typeof steps === "string" ? `C kernels not built: ${steps}` : steps.library);
 * ```
 *
 * @module
 */
import { type CKernels, openCKernels } from "./ffi.ts";

/** The compiled C kernels and where their library is. */
export interface CompiledKernels {
  symbols: CKernels;
  /** The shared library's path. */
  library: string;
  /** True when this call compiled it (false: it was in the cache). */
  compiled: boolean;
}

/**
 * Exact float32 arithmetic, as the JavaScript loops do it: no -ffast-math, no fused multiply-adds.
 * -fno-math-errno only lets sqrtf vectorise (it never sets errno for the values it gets here).
 */
export const C_COMPILER_FLAGS = [
  "-O3",
  "-march=native",
  "-ffp-contract=off",
  "-fno-math-errno",
  "-fopenmp",
  "-shared",
  "-fPIC",
];

/** What runs instead when the C kernels cannot be built. */
const FALLBACK =
  "optimizer steps in JavaScript, upsampling on wasm, batch norm and convolutions on oneDNN, sums on OpenBLAS, " +
  "the depthwise gradient in JavaScript";

/** The environment variable that turns the C kernels off when it is 1. */
export const NO_C_KERNELS = "POSTERLAB_NO_C_KERNELS";

const SOURCE = new URL("./c/kernels.c", import.meta.url);
const CACHE = new URL("../../../.cache/native/", import.meta.url);

let loaded: CompiledKernels | string | undefined;

/** FNV-1a, 32 bits, as 8 hex digits: names the cached library (not a security boundary). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** The CPU's model and feature flags (what -march=native compiles for), or "" off Linux. */
function cpuSignature(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return (info.match(/^model name.*$/m)?.[0] ?? "") + (info.match(/^flags.*$/m)?.[0] ?? "");
  } catch {
    return "";
  }
}

/** Compiles the C kernels into `cacheDir` unless already there; returns them or why they cannot be used. */
export function buildCKernels(
  compiler = Deno.env.get("CC") ?? "cc",
  cacheDir = CACHE,
): CompiledKernels | string {
  if (SOURCE.protocol !== "file:") return `${SOURCE.href} is not a local file, ${FALLBACK}`;
  const source = Deno.readTextFileSync(SOURCE);
  const name = `kernels-${fnv1a([source, compiler, ...C_COMPILER_FLAGS, cpuSignature()].join("\n"))}.so`;
  const library = new URL(name, cacheDir).pathname;
  let compiled = false;
  try {
    Deno.statSync(library);
  } catch {
    try {
      Deno.mkdirSync(cacheDir, { recursive: true });
    } catch (error) {
      return `cannot write ${cacheDir.pathname} (${
        error instanceof Error ? error.message : error
      }), ${FALLBACK}`;
    }
    const partial = `${library}.${Deno.pid}.tmp`;
    let output: Deno.CommandOutput;
    try {
      output = new Deno.Command(compiler, {
        args: [...C_COMPILER_FLAGS, "-o", partial, SOURCE.pathname, "-lm"],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return `${compiler} not found (${FALLBACK}): apt-get install gcc`;
      }
      throw error;
    }
    if (!output.success) {
      const message = new TextDecoder().decode(output.stderr).trim().split("\n")[0]?.slice(0, 200);
      try {
        Deno.removeSync(partial);
      } catch { /* nothing was written */ }
      return `${compiler} could not compile ${SOURCE.pathname} (${message}), ${FALLBACK}`;
    }
    Deno.renameSync(partial, library);
    compiled = true;
  }
  try {
    return { symbols: openCKernels(library), library, compiled };
  } catch (error) {
    return `${library} did not load (${error instanceof Error ? error.message : error}), ${FALLBACK}`;
  }
}

/** The C kernels, built and loaded once per process ({@linkcode buildCKernels}), or why not. */
export function loadCKernels(): CompiledKernels | string {
  loaded ??= Deno.env.get(NO_C_KERNELS) === "1"
    ? `C kernels turned off by ${NO_C_KERNELS}=1 (${FALLBACK})`
    : buildCKernels();
  return loaded;
}

/** The C kernels once {@linkcode loadCKernels} has built them; undefined before or when they did not build. */
export function cKernelsIfLoaded(): CKernels | undefined {
  return typeof loaded === "object" ? loaded.symbols : undefined;
}
