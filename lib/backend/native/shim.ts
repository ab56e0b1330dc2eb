/**
 * The native backend's own C code (lib/backend/native/c/optimizer_steps.c: the fused Adam and RMSprop
 * steps), compiled from source with the machine's C compiler on first use, never committed as a
 * binary. oneDNN has no optimizer primitive, and the JavaScript loops these replace ran single-threaded
 * at about 7 ns a weight: 52 ms a step for the genre CNN v1's 7.1M weights at ratio 30.
 *
 * The library goes to `.cache/native/` in the project, named by a hash of the source, the compiler
 * command and the CPU (it is built for this CPU), written to a temporary name and renamed, so a
 * second process never loads half a file. Without a compiler the steps stay in JavaScript: same
 * numbers, slower, and {@linkcode loadNativeSteps} says why.
 *
 * @example
 * ```ts
 * import { loadNativeSteps } from "./shim.ts";
 * const steps = loadNativeSteps();
 * console.log(typeof steps === "string" ? `optimizer steps in JavaScript: ${steps}` : steps.library);
 * ```
 *
 * @module
 */
import { openOptimizerSteps, type OptimizerSteps } from "./ffi.ts";

/** The compiled steps and where their library is. */
export interface NativeSteps {
  symbols: OptimizerSteps;
  /** The shared library's path. */
  library: string;
  /** True when this call compiled it (false: it was in the cache). */
  compiled: boolean;
}

/**
 * Exact float32 arithmetic, as the JavaScript loops do it: no -ffast-math, no fused multiply-adds.
 * -fno-math-errno only lets sqrtf vectorise (it never sets errno for the values it gets here).
 */
export const STEP_COMPILER_FLAGS = [
  "-O3",
  "-march=native",
  "-ffp-contract=off",
  "-fno-math-errno",
  "-fopenmp",
  "-shared",
  "-fPIC",
];

const SOURCE = new URL("./c/optimizer_steps.c", import.meta.url);
const CACHE = new URL("../../../.cache/native/", import.meta.url);

let loaded: NativeSteps | string | undefined;

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

/** Compiles the steps into `cacheDir` unless already there; returns them or why they cannot be used. */
export function buildNativeSteps(
  compiler = Deno.env.get("CC") ?? "cc",
  cacheDir = CACHE,
): NativeSteps | string {
  if (SOURCE.protocol !== "file:") return `optimizer steps in JavaScript: ${SOURCE.href} is not a local file`;
  const source = Deno.readTextFileSync(SOURCE);
  const name = `optimizer_steps-${
    fnv1a([source, compiler, ...STEP_COMPILER_FLAGS, cpuSignature()].join("\n"))
  }.so`;
  const library = new URL(name, cacheDir).pathname;
  let compiled = false;
  try {
    Deno.statSync(library);
  } catch {
    Deno.mkdirSync(cacheDir, { recursive: true });
    const partial = `${library}.${Deno.pid}.tmp`;
    let output: Deno.CommandOutput;
    try {
      output = new Deno.Command(compiler, {
        args: [...STEP_COMPILER_FLAGS, "-o", partial, SOURCE.pathname, "-lm"],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return `${compiler} not found, optimizer steps in JavaScript: apt-get install gcc`;
      }
      throw error;
    }
    if (!output.success) {
      const message = new TextDecoder().decode(output.stderr).trim().split("\n")[0]?.slice(0, 200);
      try {
        Deno.removeSync(partial);
      } catch { /* nothing was written */ }
      return `${compiler} could not compile ${SOURCE.pathname} (${message}), optimizer steps in JavaScript`;
    }
    Deno.renameSync(partial, library);
    compiled = true;
  }
  try {
    return { symbols: openOptimizerSteps(library), library, compiled };
  } catch (error) {
    return `${library} did not load (${
      error instanceof Error ? error.message : error
    }), optimizer steps in JavaScript`;
  }
}

/** The steps, built and loaded once per process ({@linkcode buildNativeSteps}), or why not. */
export function loadNativeSteps(): NativeSteps | string {
  loaded ??= buildNativeSteps();
  return loaded;
}

/** The loaded steps when the native backend runs and they built; undefined otherwise (use JavaScript). */
export function nativeStepsIfLoaded(): OptimizerSteps | undefined {
  return typeof loaded === "object" ? loaded.symbols : undefined;
}
