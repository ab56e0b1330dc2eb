/**
 * The DCGAN bench: training steps/s (reported as images/s = steps/s x batch) and peak memory for each
 * TensorFlow.js backend that loads, with the exact step `deno task dcgan:train` runs (one
 * discriminator and one generator Adam update, lib/gan/train.ts) on random posters, next to the same
 * networks and step in PyTorch (bench/pytorch_dcgan_peer.py) when `import torch` works.
 *
 * Shape: 64x64 with 32 filters at the widest layer (the paper uses 64: 4x the work); quick mode
 * 32x32 with 16 filters. `ratio` is 0 in the records: DCGAN images are square, see `note`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { newNetworks, trainStep } from "../lib/gan/step.ts";
import { type DcganShape, DEFAULT_DCGAN_TRAINING, DEFAULT_OBJECTIVE } from "../lib/config.ts";
import { throughput } from "./cnn.ts";
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

/** The paper's networks at 64x64, as bench/pytorch_dcgan_peer.py builds them (transposed convolutions). */
const PEER_SHAPE: DcganShape = {
  width: 64,
  height: 64,
  latentDim: 100,
  filters: 32,
  conditionSize: 0,
  upsampling: "transposed",
  seed: 1,
};

/** The bench's DCGAN: the peer's shape, or 32x32 with 16 filters in quick mode. */
export function dcganShape(options: BenchOptions): DcganShape {
  return options.quick ? { ...PEER_SHAPE, width: 32, height: 32, filters: 16 } : PEER_SHAPE;
}

/** Times trainStep on the current TensorFlow.js backend. */
export async function measure(
  backend: string,
  shape: DcganShape,
  options: BenchOptions,
  threads: number | undefined,
): Promise<BenchRecord> {
  const nets = newNetworks(shape, shape.seed ?? DEFAULT_DCGAN_TRAINING.seed, {
    ...DEFAULT_OBJECTIVE,
    averageDecay: 0,
  });
  const real = tf.randomUniform(
    [options.batch, shape.height, shape.width, 3],
    -1,
    1,
    "float32",
    1,
  ) as tf.Tensor4D;
  let seed = 0;
  resetPeakRss();
  const rate = await throughput(
    () => Promise.resolve(void trainStep(nets, real, undefined, shape.latentDim, seed++)),
    options.batch,
    options.quick,
  );
  real.dispose();
  for (const part of Object.values(nets)) part.dispose();
  return {
    task: "dcgan-train",
    backend,
    ratio: 0,
    batch: options.batch,
    imagesPerSecond: rate.wall,
    peakRssMiB: peakRssMiB(),
    note: `${
      threads ? `${threadsNote(threads)}; ` : ""
    }${shape.width}x${shape.height}, ${shape.filters} filters; ${
      (rate.wall / options.batch).toFixed(2)
    } steps/s; ${rate.cpu.toFixed(1)} images per CPU-second`,
  };
}

/**
 * The dcgan suite run by `deno task bench`. Like the cnn suite it measures in rounds (2, or 1 with
 * --quick), alternating the TensorFlow.js backends and the PyTorch peer, and keeps each one's best
 * round, so both get the same chances at a quiet moment on a shared machine.
 */
export const suite: BenchSuite = {
  name: "dcgan",
  async run(options: BenchOptions): Promise<BenchRecord[]> {
    const log = (line: string) => console.error(line);
    const shape = dcganShape(options);
    const { loaded, forced, python } = await readyTargets("dcgan", options);
    const peerArgs = ["--size", String(shape.width), "--filters", String(shape.filters)];
    const best = new Map<string, BenchRecord>();
    const rounds = options.quick ? 1 : 2;
    for (let round = 1; round <= rounds; round++) {
      for (const name of loaded) {
        for (const threads of threadCounts(name)) {
          log(`dcgan: round ${round}/${rounds}: ${name}${threads ? `, ${threadsNote(threads)}` : ""}`);
          const job = { suite: "dcgan" as const, backend: name, forced, threads, ratio: 0, options };
          keepBest(best, await measureIsolated(job));
        }
      }
      if (python) {
        log(`dcgan: round ${round}/${rounds}: pytorch`);
        keepBest(best, await measurePytorch(python, "pytorch_dcgan_peer.py", peerArgs, options));
      }
    }
    const records = [...best.values()];
    compareWithPytorch(records);
    return records;
  },
};
