/**
 * The PyTorch peer of the benches: the same model and step in PyTorch (a bench/pytorch_*peer.py
 * script), run beside the TensorFlow.js backends in rounds, so one run shows how far each backend is
 * from PyTorch on the same machine, by the clock and per CPU-second.
 *
 * Conventions every peer script follows: `--batch N --threads N [--quick]` plus its own model
 * arguments; it prints a JSON array of bench records with backend "pytorch", whose note starts with
 * "PyTorch <version>, <n> thread(s)" and contains "<x> images per CPU-second".
 *
 * @module
 */
import { setOpenMpWait } from "../lib/backend/native/ffi.ts";
import { tryBackend } from "../lib/backend/select.ts";
import { BACKEND_ORDER, type BackendName } from "../lib/config.ts";
import type { BenchOptions, BenchRecord } from "./types.ts";

/** What a suite measures: TensorFlow.js backends, and whether the PyTorch peer was asked for. */
export interface BenchTargets {
  /** TensorFlow.js backends to try. */
  backends: BackendName[];
  /** True when --backend named them (a backend that fails to load is then an error). */
  forced: boolean;
  /** The PyTorch peer: by default, or when --backend names `pytorch`. */
  pytorch: boolean;
}

/**
 * The backends --backend asks for (`pytorch` included), or by default every TensorFlow.js backend
 * except cpu (plain JavaScript: too slow to train) and the PyTorch peer. Throws on an unknown name.
 */
export function benchTargets(options: BenchOptions): BenchTargets {
  if (options.backends.length === 0) {
    return { backends: BACKEND_ORDER.filter((b) => b !== "cpu"), forced: false, pytorch: true };
  }
  for (const name of options.backends) {
    if (!(BACKEND_ORDER as readonly string[]).includes(name) && name !== "pytorch") {
      throw new Error(`Unknown backend '${name}' in --backend: use ${BACKEND_ORDER.join(", ")} or pytorch.`);
    }
  }
  return {
    backends: options.backends.filter((b) => b !== "pytorch") as BackendName[],
    forced: true,
    pytorch: options.backends.includes("pytorch"),
  };
}

/** What a suite can run here: the backends of {@linkcode benchTargets} that load, and the peer's Python. */
export interface ReadyTargets {
  /** TensorFlow.js backends that loaded. */
  loaded: BackendName[];
  /** True when --backend named them. */
  forced: boolean;
  /** A Python with torch when the peer was asked for and one exists. */
  python?: string;
}

/**
 * Loads each target backend once and finds the peer's Python, logging what is skipped and why. With
 * `fastestOnly` and no --backend, stops at the first backend that loads: the one training picks.
 */
export async function readyTargets(
  suite: string,
  options: BenchOptions,
  fastestOnly = false,
): Promise<ReadyTargets> {
  const log = (line: string) => console.error(line);
  const { backends, forced, pytorch } = benchTargets(options);
  const loaded: BackendName[] = [];
  for (const name of backends) {
    const reason = await tryBackend(name, forced);
    if (reason === undefined) loaded.push(name);
    else log(`${suite}: skipped ${name}: ${reason}`);
    if (fastestOnly && !forced && loaded.length) {
      log(`${suite}: on ${name} only, the backend training picks (--backend names others)`);
      break;
    }
  }
  const python = pytorch ? await pythonWithTorch() : undefined;
  if (pytorch && !python) {
    log(`${suite}: pytorch peer skipped: no python3 with torch (Debian: apt-get install python3-torch)`);
  }
  return { loaded, forced, python };
}

/**
 * The thread counts a backend is measured at: the native backend at 1 thread and on every core (as
 * the PyTorch peer), the others once (undefined: WASM has no threads in Deno).
 */
export function threadCounts(backend: BackendName): (number | undefined)[] {
  const cores = navigator.hardwareConcurrency;
  return backend === "native" ? (cores > 1 ? [1, cores] : [1]) : [undefined];
}

/** The first segment of a native record's note: "2 threads". */
export function threadsNote(threads: number): string {
  return `${threads} thread${threads === 1 ? "" : "s"}`;
}

/**
 * The first Python that can import torch, or undefined. `PYTHON` may name one; Debian's torch
 * (python3-torch) is under /usr/bin/python3, which a pyenv `python3` on PATH hides.
 */
export async function pythonWithTorch(): Promise<string | undefined> {
  const candidates = [Deno.env.get("PYTHON"), "python3", "/usr/bin/python3"].filter((p): p is string => !!p);
  for (const python of candidates) {
    try {
      const { success } = await new Deno.Command(python, { args: ["-c", "import torch"], stderr: "null" })
        .output();
      if (success) return python;
    } catch {
      // not installed under that name
    }
  }
  return undefined;
}

/**
 * Runs the peer script `bench/<script>` with `args` (its model arguments) on 1 thread (as WASM runs
 * in Deno), then on every core, and returns the records it prints.
 *
 * OpenMP threads wait as the native backend's do (lib/backend/native/ffi.ts setOpenMpWait: a short
 * spin, then sleep): with libgomp's long default spin, 2 threads once ran the DCGAN step 5x slower
 * than 1 thread on the project's shared 2-core machine (each thread spinning for a partner that
 * another process had descheduled).
 */
export async function measurePytorch(
  python: string,
  script: string,
  args: string[],
  options: BenchOptions,
): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  const cores = navigator.hardwareConcurrency;
  for (const threads of cores > 1 ? ["1", String(cores)] : ["1"]) {
    const common = [
      "--batch",
      String(options.batch),
      "--threads",
      threads,
      ...(options.quick ? ["--quick"] : []),
    ];
    records.push(...JSON.parse(await peerOutput(python, script, [...args, ...common])) as BenchRecord[]);
  }
  return records;
}

/**
 * What the peer script `bench/<script>` prints on stdout with `args` (its stderr shows through);
 * throws when it fails. Its OpenMP threads wait as the native backend's do (setOpenMpWait).
 */
export async function peerOutput(python: string, script: string, args: string[]): Promise<string> {
  const path = new URL(`./${script}`, import.meta.url).pathname;
  setOpenMpWait();
  const result = await new Deno.Command(python, { args: [path, ...args], stderr: "inherit" }).output();
  if (!result.success) {
    throw new Error(`bench/${script} failed (exit ${result.code}); see its output above.`);
  }
  return new TextDecoder().decode(result.stdout);
}

/** Images per CPU-second from a record's note, as the benches and the peers write it. */
export function cpuRate(record: BenchRecord): number | undefined {
  const match = /([\d.]+) images per CPU-second/.exec(record.note ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * Adds "0.55 x PyTorch ..." to each TensorFlow.js record that has a PyTorch peer (same task, ratio
 * and batch): by the clock, and, against the one-thread peer, per CPU-second (the figure a shared
 * machine's load doesn't distort); then its peak memory as a multiple of the peer's.
 */
export function compareWithPytorch(records: BenchRecord[]): void {
  const peers = records.filter((r) => r.backend === "pytorch");
  for (const r of records) {
    if (r.backend === "pytorch") continue;
    const ratios = peers.filter((p) => p.task === r.task && p.ratio === r.ratio && p.batch === r.batch)
      .map((p) => {
        const [mine, theirs] = [cpuRate(r), cpuRate(p)];
        const perCpu = /\b1 thread\b/.test(p.note ?? "") && mine && theirs
          ? `, ${(mine / theirs).toFixed(2)} per CPU-second`
          : "";
        const memory = `, peak memory ${(r.peakRssMiB / p.peakRssMiB).toFixed(2)}x`;
        return `${(r.imagesPerSecond / p.imagesPerSecond).toFixed(2)} x ${
          p.note?.split(";")[0]
        }${perCpu}${memory}`;
      });
    if (ratios.length) r.note = [r.note, ...ratios].filter(Boolean).join("; ");
  }
}

/**
 * Keeps, per measured configuration, the best figures over rounds (the least disturbed window): the
 * highest rates (images/s, steps/s and images per CPU-second), and the highest peak memory (each
 * TensorFlow.js record comes from its own process, bench/isolated.ts, as each peer run does).
 */
export function keepBest(best: Map<string, BenchRecord>, records: BenchRecord[]): void {
  for (const r of records) {
    // The peer and native are measured at several thread counts, named first in their notes.
    const threads = r.backend === "pytorch" || r.backend === "native" ? r.note?.split(";")[0] ?? "" : "";
    const key = [r.task, r.backend, r.ratio, r.batch, threads].join("|");
    const old = best.get(key);
    if (!old) {
      best.set(key, { ...r });
      continue;
    }
    const cpu = Math.max(cpuRate(old) ?? 0, cpuRate(r) ?? 0);
    old.imagesPerSecond = Math.max(old.imagesPerSecond, r.imagesPerSecond);
    old.peakRssMiB = Math.max(old.peakRssMiB, r.peakRssMiB);
    old.note = old.note?.replace(/[\d.]+ images per CPU-second/, `${cpu.toFixed(1)} images per CPU-second`)
      .replace(/[\d.]+ steps\/s/, `${(old.imagesPerSecond / old.batch).toFixed(2)} steps/s`);
  }
}
