/**
 * The genre-CNN bench: training and inference images/s and peak memory for each TensorFlow.js
 * backend that loads, at each ratio, next to the same model in PyTorch (bench/pytorch_peer.py) when
 * `import torch` works, so one run shows how far WASM is from PyTorch on this machine.
 *
 * Model: lib/models/cnn.ts version 1 with 7 genres, RMSprop 1e-4, binary cross-entropy, on random
 * data of the right shape (the data-load bench measures reading posters).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { BACKEND_ORDER, type BackendName, DEFAULT_MODEL, imageSize } from "../lib/config.ts";
import { tryBackend } from "../lib/backend/select.ts";
import { buildGenreCnn } from "../lib/models/cnn.ts";
import { createRmsprop } from "../lib/training/rmsprop.ts";
import { peakRssMiB, resetPeakRss } from "./memory.ts";
import type { BenchOptions, BenchRecord, BenchSuite } from "./types.ts";

const GENRES = 7;

/** Process CPU time (user + system, all threads) in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Throughput of a timed loop: by the clock, and per second of this process's CPU time. */
export interface Throughput {
  /** Images per wall-clock second. */
  wall: number;
  /** Images per CPU-second of this process: what an idle core would give a one-thread run. */
  cpu: number;
}

/**
 * Images/s of `step` (which processes `batch` images) by the clock and per CPU-second: one warm-up
 * step, then at least 3 steps and 5 seconds (1 step in quick mode). The CPU-time rate is there
 * because the project's machines are shared: other processes stretch the wall clock, not a
 * single-threaded run's CPU time.
 */
export async function throughput(
  step: () => Promise<void>,
  batch: number,
  quick: boolean,
): Promise<Throughput> {
  await step();
  const [minSteps, minMs] = quick ? [1, 0] : [3, 5000];
  const start = performance.now(), cpuStart = cpuSeconds();
  let steps = 0;
  while (steps < minSteps || performance.now() - start < minMs) {
    await step();
    steps++;
  }
  const images = steps * batch;
  return { wall: images / ((performance.now() - start) / 1000), cpu: images / (cpuSeconds() - cpuStart) };
}

/** Images per wall-clock second of `step`, timed as {@linkcode throughput} does. */
export async function imagesPerSecond(
  step: () => Promise<void>,
  batch: number,
  quick: boolean,
): Promise<number> {
  return (await throughput(step, batch, quick)).wall;
}

/** Trains and runs the CNN on the current TensorFlow.js backend at one ratio. */
async function measureBackend(backend: string, ratio: number, options: BenchOptions): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  const { width, height } = imageSize(ratio);
  const model = buildGenreCnn({ height, width, genres: GENRES, version: 1 });
  // The trainer's optimizer (fused RMSprop on wasm), so the bench measures what training does.
  model.compile({ optimizer: createRmsprop(DEFAULT_MODEL.learningRate), loss: "binaryCrossentropy" });
  const x = tf.randomUniform([options.batch, height, width, 3], 0, 1, "float32", 1);
  const y = tf.randomUniform([options.batch, GENRES], 0, 1, "float32", 2).round();
  const steps: [string, () => Promise<void>][] = [
    ["cnn-train", async () => void await model.trainOnBatch(x, y)],
    ["cnn-infer", async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    }],
  ];
  for (const [task, step] of steps) {
    resetPeakRss();
    const rate = await throughput(step, options.batch, options.quick);
    records.push({
      task,
      backend,
      ratio,
      batch: options.batch,
      imagesPerSecond: rate.wall,
      peakRssMiB: peakRssMiB(),
      note: `${rate.cpu.toFixed(1)} images per CPU-second`,
    });
  }
  tf.dispose([x, y]);
  model.dispose();
  return records;
}

/** The first Python that can import torch, or undefined. `PYTHON` may name one. */
async function pythonWithTorch(): Promise<string | undefined> {
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

/** Runs bench/pytorch_peer.py at one ratio with 1 thread (as WASM runs in Deno), then with every core. */
async function measurePytorch(python: string, ratio: number, options: BenchOptions): Promise<BenchRecord[]> {
  const script = new URL("./pytorch_peer.py", import.meta.url).pathname;
  const records: BenchRecord[] = [];
  const cores = navigator.hardwareConcurrency;
  for (const threads of cores > 1 ? ["1", String(cores)] : ["1"]) {
    const args = [script, "--ratios", String(ratio), "--batch", String(options.batch)];
    args.push("--genres", String(GENRES), "--threads", threads, ...(options.quick ? ["--quick"] : []));
    const result = await new Deno.Command(python, { args, stderr: "inherit" }).output();
    if (!result.success) {
      throw new Error(`bench/pytorch_peer.py failed (exit ${result.code}); see its output above.`);
    }
    records.push(...JSON.parse(new TextDecoder().decode(result.stdout)) as BenchRecord[]);
  }
  return records;
}

/** Images per CPU-second from a record's note, as both benches write it. */
function cpuRate(record: BenchRecord): number | undefined {
  const match = /([\d.]+) images per CPU-second/.exec(record.note ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * Adds "0.55 x PyTorch ..." to each TensorFlow.js record that has a PyTorch peer: by the clock, and,
 * against the one-thread peer, per CPU-second (the figure a shared machine's load doesn't distort).
 */
function compareWithPytorch(records: BenchRecord[]): void {
  const peers = records.filter((r) => r.backend === "pytorch");
  for (const r of records) {
    if (r.backend === "pytorch") continue;
    const ratios = peers.filter((p) => p.task === r.task && p.ratio === r.ratio && p.batch === r.batch)
      .map((p) => {
        const [mine, theirs] = [cpuRate(r), cpuRate(p)];
        const perCpu = /\b1 thread\b/.test(p.note ?? "") && mine && theirs
          ? `, ${(mine / theirs).toFixed(2)} per CPU-second`
          : "";
        return `${(r.imagesPerSecond / p.imagesPerSecond).toFixed(2)} x ${p.note?.split(";")[0]}${perCpu}`;
      });
    if (ratios.length) r.note = [r.note, ...ratios].filter(Boolean).join("; ");
  }
}

/** The backends to measure: those asked for, or every one that loads except cpu (too slow to train). */
function backendsToTry(options: BenchOptions): { names: BackendName[]; forced: boolean } {
  if (options.backends.length === 0) {
    return { names: BACKEND_ORDER.filter((b) => b !== "cpu"), forced: false };
  }
  for (const name of options.backends) {
    if (!(BACKEND_ORDER as readonly string[]).includes(name) && name !== "pytorch") {
      throw new Error(`Unknown backend '${name}' in --backend: use ${BACKEND_ORDER.join(", ")} or pytorch.`);
    }
  }
  return { names: options.backends.filter((b) => b !== "pytorch") as BackendName[], forced: true };
}

/**
 * Keeps, per measured configuration, the best figures over rounds (the least disturbed window): the
 * highest rates, and the lowest peak memory (the wasm heap never shrinks, so a later round at a
 * smaller ratio would otherwise report the larger ratio's heap).
 */
function keepBest(best: Map<string, BenchRecord>, records: BenchRecord[]): void {
  for (const r of records) {
    const threads = r.backend === "pytorch" ? r.note?.split(";")[0] ?? "" : "";
    const key = [r.task, r.backend, r.ratio, r.batch, threads].join("|");
    const old = best.get(key);
    if (!old) {
      best.set(key, { ...r });
      continue;
    }
    const cpu = Math.max(cpuRate(old) ?? 0, cpuRate(r) ?? 0);
    old.imagesPerSecond = Math.max(old.imagesPerSecond, r.imagesPerSecond);
    old.peakRssMiB = Math.min(old.peakRssMiB, r.peakRssMiB);
    old.note = old.note?.replace(/[\d.]+ images per CPU-second/, `${cpu.toFixed(1)} images per CPU-second`);
  }
}

/**
 * The cnn suite run by `deno task bench`. The project's machines are shared, so it measures in
 * rounds (2, or 1 with --quick), alternating TensorFlow.js backends and the PyTorch peer config by
 * config, and keeps each configuration's best round: both sides get the same chances at a quiet
 * moment.
 */
export const suite: BenchSuite = {
  name: "cnn",
  async run(options: BenchOptions): Promise<BenchRecord[]> {
    const log = (line: string) => console.error(line);
    const { names, forced } = backendsToTry(options);
    if (!forced) {
      log("cnn: cpu not measured by default (no training step finishes in 100 s); ask with --backend cpu");
    }
    const loaded: BackendName[] = [];
    for (const name of names) {
      const reason = await tryBackend(name, forced);
      if (reason === undefined) loaded.push(name);
      else log(`cnn: skipped ${name}: ${reason}`);
    }
    const wantPytorch = options.backends.length === 0 || options.backends.includes("pytorch");
    const python = wantPytorch ? await pythonWithTorch() : undefined;
    if (wantPytorch && !python) {
      log("cnn: pytorch peer skipped: no python3 with torch (Debian: apt-get install python3-torch)");
    }
    const best = new Map<string, BenchRecord>();
    const rounds = options.quick ? 1 : 2;
    for (let round = 1; round <= rounds; round++) {
      for (const ratio of options.ratios) {
        for (const name of loaded) {
          log(`cnn: round ${round}/${rounds}, ratio ${ratio}: ${name}`);
          await tryBackend(name, forced);
          keepBest(best, await measureBackend(name, ratio, options));
        }
        if (python) {
          log(`cnn: round ${round}/${rounds}, ratio ${ratio}: pytorch`);
          keepBest(best, await measurePytorch(python, ratio, options));
        }
      }
    }
    const records = [...best.values()];
    compareWithPytorch(records);
    return records;
  },
};
