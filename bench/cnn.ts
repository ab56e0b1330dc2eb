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
import { DEFAULT_MODEL, imageSize } from "../lib/config.ts";
import { buildGenreCnn } from "../lib/models/cnn.ts";
import { createRmsprop } from "../lib/training/rmsprop.ts";
import { measureIsolated } from "./isolated.ts";
import { peakRssMiB, resetPeakRss } from "./memory.ts";
import {
  compareWithPytorch,
  keepBest,
  measurePytorch,
  readyTargets,
  threadCounts,
  threadsNote,
} from "./pytorch.ts";
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

/** Trains and runs the CNN on the current TensorFlow.js backend at one ratio. */
export async function measureBackend(
  backend: string,
  ratio: number,
  options: BenchOptions,
  threads: number | undefined,
): Promise<BenchRecord[]> {
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
      note: [threads && threadsNote(threads), `${rate.cpu.toFixed(1)} images per CPU-second`].filter(Boolean)
        .join("; "),
    });
  }
  tf.dispose([x, y]);
  model.dispose();
  return records;
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
    if (options.backends.length === 0) {
      log("cnn: cpu not measured by default (no training step finishes in 100 s); ask with --backend cpu");
    }
    const { loaded, forced, python } = await readyTargets("cnn", options);
    const best = new Map<string, BenchRecord>();
    const rounds = options.quick ? 1 : 2;
    for (let round = 1; round <= rounds; round++) {
      for (const ratio of options.ratios) {
        for (const name of loaded) {
          for (const threads of threadCounts(name)) {
            log(
              `cnn: round ${round}/${rounds}, ratio ${ratio}: ${name}${
                threads ? `, ${threadsNote(threads)}` : ""
              }`,
            );
            const job = { suite: "cnn" as const, backend: name, forced, threads, ratio, options };
            keepBest(best, await measureIsolated(job));
          }
        }
        if (python) {
          log(`cnn: round ${round}/${rounds}, ratio ${ratio}: pytorch`);
          const args = ["--ratios", String(ratio), "--genres", String(GENRES)];
          keepBest(best, await measurePytorch(python, "pytorch_peer.py", args, options));
        }
      }
    }
    const records = [...best.values()];
    compareWithPytorch(records);
    return records;
  },
};
