/**
 * Picks the TensorFlow.js backend: the first of {@linkcode BACKEND_ORDER} that loads, or the one asked
 * for. It never pretends: a backend that fails to load is reported with the reason, and a forced
 * backend that fails is an error.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BACKEND_ORDER, type BackendName, DEFAULT_THREADS } from "../config.ts";
import { registerWasmKernels } from "./wasm_kernels/mod.ts";
import { createLog } from "../util/log.ts";
import { recordRunFact } from "../util/run_facts.ts";
import {
  installActivationGradients,
  installNativeBatchNorm,
  loadNativeLibs,
  registerNativeBackend,
  setNativeThreads,
} from "./native/mod.ts";
import { installTapeMemorySaver } from "./tape_memory.ts";
import { installFastDropout } from "./fast_dropout.ts";
import { installLazyConvGradients } from "./lazy_conv_gradients.ts";
import { loadCKernels } from "./native/shim.ts";

/** A backend that was not used, and why. */
export interface SkippedBackend {
  name: BackendName;
  reason: string;
}

/** The backend that runs, and every earlier one in the order that was skipped. */
export interface BackendChoice {
  name: BackendName;
  skipped: SkippedBackend[];
}

/** Options of {@linkcode initBackend}. */
export interface InitBackendOptions {
  /** Where the "using X / skipped Y: why" lines go; defaults to stderr so `--json` output stays clean. */
  log?: (line: string) => void;
  /** Threads of the native backend (default {@linkcode DEFAULT_THREADS}: every core). */
  threads?: number;
}

/** Thrown (with the reason) when a backend cannot run here. */
class BackendUnavailable extends Error {}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 300);
}

async function loadTfjsNode(pkg: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node"): Promise<void> {
  // Both packages register the same 'tensorflow' kernels before their addon fails to load; the
  // second import would print ~150 "already registered" warnings that say nothing useful.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/is already registered/.test(String(args[0]))) warn(...args);
  };
  try {
    if (pkg === "@tensorflow/tfjs-node-gpu") await import("@tensorflow/tfjs-node-gpu");
    else await import("@tensorflow/tfjs-node");
  } catch (error) {
    const missing = /tfjs_binding\.node.*can ?not be found/s.test(firstLine(error));
    throw new BackendUnavailable(
      (missing
        ? `${pkg}'s native addon (tfjs_binding.node) is not installed`
        : `${pkg} did not load (${firstLine(error)})`) +
        `; it needs libtensorflow, which its install script downloads: see docs/speed.md, 'On a machine with an NVIDIA GPU'`,
    );
  } finally {
    console.warn = warn;
  }
}

/** Checks Deno's WebGPU before loading the tfjs backend, so the reason for a missing adapter is precise. */
async function checkWebGpu(forced: boolean): Promise<void> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) {
    throw new BackendUnavailable(
      "navigator.gpu is missing: run Deno with --unstable-webgpu (deno.json sets it)",
    );
  }
  const adapter = await gpu.requestAdapter() as
    | null
    | { info?: { vendor?: string; device?: string; description?: string }; isFallbackAdapter?: boolean };
  if (!adapter) {
    const hint = Deno.env.get("XDG_RUNTIME_DIR")
      ? ""
      : "; XDG_RUNTIME_DIR is unset, Vulkan loaders may need it";
    throw new BackendUnavailable(
      `no WebGPU adapter (no Vulkan driver found: a GPU driver, or apt-get install mesa-vulkan-drivers ` +
        `for a slow software one${hint})`,
    );
  }
  const info = adapter.info ?? {};
  const name = [info.vendor, info.device, info.description].filter(Boolean).join(" ");
  const software = adapter.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|software/i.test(name);
  if (software && !forced) {
    throw new BackendUnavailable(
      `the only WebGPU adapter is a software renderer (${name || "fallback adapter"}), slower than wasm; ` +
        `force it with --backend webgpu`,
    );
  }
}

async function load(name: BackendName, forced: boolean): Promise<void> {
  switch (name) {
    case "tensorflow-gpu":
      await loadTfjsNode("@tensorflow/tfjs-node-gpu");
      break;
    case "tensorflow":
      await loadTfjsNode("@tensorflow/tfjs-node");
      break;
    case "webgpu":
      await checkWebGpu(forced);
      await import("@tensorflow/tfjs-backend-webgpu");
      break;
    case "native": {
      const libs = loadNativeLibs();
      if (typeof libs === "string") throw new BackendUnavailable(libs);
      // native is the wasm backend's instance under another name (lib/backend/native/mod.ts).
      await import("@tensorflow/tfjs-backend-wasm");
      if (!await tf.setBackend("wasm")) {
        throw new BackendUnavailable("the wasm backend it builds on did not load");
      }
      registerWasmKernels();
      registerNativeBackend();
      break;
    }
    case "wasm":
      await import("@tensorflow/tfjs-backend-wasm");
      break;
    case "cpu":
      break;
  }
  const tfName = name === "tensorflow-gpu" ? "tensorflow" : name;
  let ok = false;
  try {
    ok = await tf.setBackend(tfName);
  } catch (error) {
    throw new BackendUnavailable(`tf.setBackend("${tfName}") failed: ${firstLine(error)}`);
  }
  if (!ok) throw new BackendUnavailable(`tf.setBackend("${tfName}") failed (see the warning above)`);
  await tf.ready();
  if (
    name === "tensorflow-gpu" && !(tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice
  ) {
    throw new BackendUnavailable(
      "tfjs-node-gpu loaded but libtensorflow found no CUDA GPU (check CUDA 11.2 / cuDNN 8.1)",
    );
  }
  if (name === "wasm") registerWasmKernels();
}

/**
 * Tries to make `name` the current backend. Returns undefined when it runs, or why it can't. Unless
 * `forced`, a software-only WebGPU adapter counts as unavailable (it is slower than wasm).
 */
export async function tryBackend(
  name: BackendName,
  forced = false,
  threads = DEFAULT_THREADS,
): Promise<string | undefined> {
  try {
    await load(name, forced);
    if (name === "native") {
      setNativeThreads(threads);
      // Its C kernels (optimizer steps, upsampling): compiled on first use, else JavaScript/wasm (shim.ts).
      loadCKernels();
    }
    // Training steps free each layer's tensors as backprop passes it (tape_memory.ts), on any backend.
    installTapeMemorySaver();
    // Dropout masks in one integer loop instead of tfjs's Alea and three kernels (fast_dropout.ts).
    installFastDropout();
    // Convolutions' backward passes compute only the gradients they use (lazy_conv_gradients.ts).
    installLazyConvGradients();
    // ReLU and leaky-ReLU gradients in one oneDNN pass on native; tfjs's formulas elsewhere.
    installActivationGradients();
    // Batch norm in training as two oneDNN primitives on native; tfjs's layer code elsewhere.
    installNativeBatchNorm();
    return undefined;
  } catch (error) {
    if (error instanceof BackendUnavailable) return error.message;
    throw error;
  }
}

/**
 * Sets the TensorFlow.js backend. With `name`, uses exactly that backend or throws why it can't run;
 * without, tries {@linkcode BACKEND_ORDER} and uses the first that loads. Prints which backend runs
 * and why each earlier one was skipped.
 */
export async function initBackend(
  name?: BackendName,
  options: InitBackendOptions = {},
): Promise<BackendChoice> {
  const log = options.log ?? createLog();
  if (name !== undefined && !(BACKEND_ORDER as readonly string[]).includes(name)) {
    throw new Error(`Unknown backend '${name}': use one of ${BACKEND_ORDER.join(", ")}.`);
  }
  const candidates = name ? [name] : [...BACKEND_ORDER];
  const skipped: SkippedBackend[] = [];
  for (const candidate of candidates) {
    const reason = await tryBackend(candidate, name !== undefined, options.threads);
    if (reason !== undefined) {
      if (name) throw new Error(`Backend '${name}' cannot run here: ${reason}.`);
      skipped.push({ name: candidate, reason });
      log(`backend: skipped ${candidate}: ${reason}`);
      continue;
    }
    const count = options.threads ?? DEFAULT_THREADS;
    const threads = candidate === "native" ? `, ${count} thread${count === 1 ? "" : "s"}` : "";
    log(`backend: using ${candidate}${threads}${name ? " (forced by --backend)" : ""}`);
    if (candidate === "native") {
      const steps = loadCKernels();
      if (typeof steps === "string") log(`backend: ${steps}`);
      else if (steps.compiled) {
        log(`backend: compiled the native backend's C kernels once, into ${steps.library}`);
      }
    }
    recordRunFact("backend", `${candidate}${threads} (TensorFlow.js ${tf.version_core})`);
    return { name: candidate, skipped };
  }
  throw new Error(
    `No TensorFlow.js backend loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`,
  );
}
