/**
 * The DCGAN benches: training steps/s (reported as images/s = steps/s x batch) and peak memory of
 * the step `deno task dcgan:train` runs (lib/gan/step.ts trainStep, then the weight average's update
 * when the objective keeps one), on random posters, for TensorFlow.js backends, next to the same
 * networks and step in PyTorch (bench/pytorch_dcgan_peer.py) when `import torch` works.
 *
 * A {@linkcode DcganCase} says which networks and objective; this file has the paper's (suite
 * `dcgan`), bench/cdcgan.ts the recommended conditional run's (suite `cdcgan`). `ratio` is 0 in the
 * records: the size is in `note`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { newNetworks, trainStep } from "../lib/gan/step.ts";
import { updateAverage } from "../lib/gan/ema.ts";
import { resolveShape } from "../lib/models/dcgan.ts";
import {
  ALL_GENRES,
  type DcganShape,
  DEFAULT_DCGAN_TRAINING,
  DEFAULT_OBJECTIVE,
  type GanObjective,
} from "../lib/config.ts";
import { throughput } from "./cnn.ts";
import { measureIsolated } from "./isolated.ts";
import { peakRssMiB, resetPeakRss } from "./memory.ts";
import {
  compareWithPytorch,
  keepBest,
  measurePytorch,
  peerOutput,
  readyTargets,
  threadCounts,
  threadsNote,
} from "./pytorch.ts";
import type { BenchOptions, BenchRecord, BenchSuite } from "./types.ts";

/** One DCGAN training step to measure: the networks, the objective, and where it runs by default. */
export interface DcganCase {
  /** The suite's name (`--only`); the records' task is `<suite>-train`. */
  suite: "dcgan" | "cdcgan";
  /** The networks (unset settings at their defaults, as dcgan:train builds them), by --quick. */
  shape(options: BenchOptions): DcganShape;
  /** The loss, real label, DiffAugment policy and weight average of the step. */
  objective: GanObjective;
  /**
   * Without --backend: true measures only the backend training picks (the first of BACKEND_ORDER that
   * loads), false every one that loads.
   */
  fastestOnly: boolean;
}

/** The paper's networks at 64x64 with 32 filters (the paper: 64, 4x the work), 32x32 and 16 with --quick. */
export const PAPER_CASE: DcganCase = {
  suite: "dcgan",
  shape: (options) => ({
    width: options.quick ? 32 : 64,
    height: options.quick ? 32 : 64,
    latentDim: 100,
    filters: options.quick ? 16 : 32,
    conditionSize: 0,
    upsampling: "transposed",
    skipExcitation: false,
    seed: 1,
  }),
  // The paper's step: no DiffAugment and no weight average, as bench/pytorch_dcgan_peer.py by default.
  objective: { ...DEFAULT_OBJECTIVE, augment: [], averageDecay: 0 },
  fastestOnly: false,
};

/** The records' task. */
export function taskOf(dcganCase: DcganCase): string {
  return `${dcganCase.suite}-train`;
}

/** The peer's arguments for the same networks and objective (bench/pytorch_dcgan_peer.py). */
export function peerArguments(dcganCase: DcganCase, options: BenchOptions): string[] {
  const shape = resolveShape(dcganCase.shape(options));
  const { conditioning, auxiliaryClassifier, spectralNorm } = shape;
  // The peer builds the conditional discriminator one way: projection, with the AC-GAN head.
  if (shape.conditionSize > 0 && (conditioning !== "projection" || !auxiliaryClassifier)) {
    throw new Error(
      `bench: the PyTorch peer has only the projection discriminator with its classifier head.`,
    );
  }
  if (spectralNorm || dcganCase.objective.loss !== "bce") {
    throw new Error(`bench: the PyTorch peer has batch norm and the cross-entropy loss only.`);
  }
  if (
    shape.reconstruct || shape.minibatchStd || (shape.fullSizeFilters ?? 0) > 0 ||
    (shape.generatorFilters ?? 0) > 0
  ) {
    throw new Error(
      `bench: the PyTorch peer has no reconstructing discriminator, minibatch deviation, full-size block ` +
        `or generator width of its own.`,
    );
  }
  return [
    ["--size", `${shape.width}x${shape.height}`],
    ["--filters", String(shape.filters)],
    ["--condition-size", String(shape.conditionSize)],
    ["--upsampling", shape.upsampling!],
    ["--generator-conditioning", shape.generatorConditioning!],
    shape.skipExcitation ? ["--skip-excitation"] : [],
    ["--augment", (dcganCase.objective.augment ?? []).join(",")],
    ["--average-decay", String(dcganCase.objective.averageDecay)],
    ["--class-weight", String(dcganCase.objective.classWeight)],
    ["--task", taskOf(dcganCase)],
  ].flat();
}

/** Parameter counts of one network: trainable, and all weights (batch norm's moving statistics too). */
export interface ParameterCount {
  trainable: number;
  all: number;
}

/** The networks' parameter counts, as the peer's `--count-parameters` prints them. */
export interface DcganParameters {
  generator: ParameterCount;
  discriminator: ParameterCount;
}

/** The case's TensorFlow.js networks' parameter counts (built on the current backend, then freed). */
export function tfjsParameters(dcganCase: DcganCase, options: BenchOptions): DcganParameters {
  const shape = dcganCase.shape(options);
  const nets = newNetworks(shape, shape.seed ?? 1, { ...dcganCase.objective, averageDecay: 0 });
  const count = (model: tf.LayersModel): ParameterCount => ({
    trainable: model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a! * b!, 1)!, 0),
    all: model.countParams(),
  });
  const counts = { generator: count(nets.generator), discriminator: count(nets.discriminator) };
  for (const part of Object.values(nets)) part.dispose();
  return counts;
}

/** The peer's networks' parameter counts for the case. */
export async function peerParameters(
  python: string,
  dcganCase: DcganCase,
  options: BenchOptions,
): Promise<DcganParameters> {
  const args = [...peerArguments(dcganCase, options), "--count-parameters"];
  return JSON.parse(await peerOutput(python, "pytorch_dcgan_peer.py", args)) as DcganParameters;
}

/** "generator 1,126,179 (+960 batch-norm statistics), discriminator ...". */
export function describeParameters(counts: DcganParameters): string {
  return (["generator", "discriminator"] as const).map((name) => {
    const { trainable, all } = counts[name];
    return `${name} ${trainable.toLocaleString("en")} (+${
      (all - trainable).toLocaleString("en")
    } batch-norm statistics)`;
  }).join(", ");
}

/**
 * Throws unless the peer's networks have exactly the TensorFlow.js networks' parameters (a check
 * that both build the same layer shapes), and logs the counts.
 */
export async function checkPeerParameters(
  python: string,
  dcganCase: DcganCase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const mine = tfjsParameters(dcganCase, options);
  const theirs = await peerParameters(python, dcganCase, options);
  // The description names all four counts of each side.
  if (describeParameters(mine) !== describeParameters(theirs)) {
    throw new Error(
      `bench: the PyTorch peer's ${dcganCase.suite} networks differ from TensorFlow.js's: ` +
        `${describeParameters(theirs)} against ${describeParameters(mine)}; fix bench/pytorch_dcgan_peer.py.`,
    );
  }
  log(`${dcganCase.suite}: parameters, TensorFlow.js = PyTorch: ${describeParameters(mine)}`);
}

/** `batch` random condition vectors of `size` (genres multi-hot, one decade), from `seed`. */
function randomConditions(batch: number, size: number, genres: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const multiHot = tf.randomUniform([batch, genres], 0, 1, "float32", seed).less(0.3).toFloat();
    const decade = tf.oneHot(tf.randomUniform([batch], 0, size - genres, "int32", seed + 1), size - genres);
    return tf.concat([multiHot, decade.toFloat()], 1) as tf.Tensor2D;
  });
}

/** Times the case's step (trainStep, then the weight average's update) on the current backend. */
export async function measure(
  backend: string,
  dcganCase: DcganCase,
  options: BenchOptions,
  threads: number | undefined,
): Promise<BenchRecord> {
  const shape = resolveShape(dcganCase.shape(options));
  const { objective } = dcganCase;
  const nets = newNetworks(shape, shape.seed ?? DEFAULT_DCGAN_TRAINING.seed, objective);
  const real = tf.randomUniform(
    [options.batch, shape.height, shape.width, 3],
    -1,
    1,
    "float32",
    1,
  ) as tf.Tensor4D;
  const conditions = shape.conditionSize > 0
    ? randomConditions(options.batch, shape.conditionSize, ALL_GENRES.length, 3)
    : undefined;
  let step = 0;
  resetPeakRss();
  const rate = await throughput(
    () => {
      trainStep(nets, real, conditions, shape.latentDim, step, objective);
      if (nets.average) updateAverage(nets.average, nets.generator, objective.averageDecay, step);
      step++;
      return Promise.resolve();
    },
    options.batch,
    options.quick,
  );
  tf.dispose([real, conditions].filter((t) => t !== undefined));
  for (const part of Object.values(nets)) part.dispose();
  return {
    task: taskOf(dcganCase),
    backend,
    ratio: 0,
    batch: options.batch,
    imagesPerSecond: rate.wall,
    peakRssMiB: peakRssMiB(),
    note: [
      threads && threadsNote(threads),
      describeCase(shape, objective),
      `${(rate.wall / options.batch).toFixed(2)} steps/s`,
      `${rate.cpu.toFixed(1)} images per CPU-second`,
    ].filter(Boolean).join("; "),
  };
}

/**
 * "64x96, 32 filters, conditional (19), resize, modulated, augment color+translation+cutout, average
 * 0.999", as the peer's note.
 */
function describeCase(shape: DcganShape, objective: GanObjective): string {
  const policy = objective.augment ?? [];
  return [
    `${shape.width}x${shape.height}, ${shape.filters} filters`,
    shape.conditionSize > 0 && `conditional (${shape.conditionSize})`,
    shape.upsampling !== "transposed" && shape.upsampling,
    shape.conditionSize > 0 && shape.generatorConditioning === "modulated" && "modulated",
    shape.skipExcitation && "skip-layer excitation",
    policy.length > 0 && `augment ${policy.join("+")}`,
    objective.averageDecay > 0 && `average ${objective.averageDecay}`,
  ].filter(Boolean).join(", ");
}

/**
 * The suite that measures `dcganCase`. Like the cnn suite it measures in rounds (2, or 1 with
 * --quick), alternating the TensorFlow.js backends and the PyTorch peer, and keeps each one's best
 * round, so both get the same chances at a quiet moment on a shared machine. Before the rounds it
 * checks that the peer's networks have the TensorFlow.js networks' parameter counts.
 */
export function dcganSuite(dcganCase: DcganCase): BenchSuite {
  return {
    name: dcganCase.suite,
    async run(options: BenchOptions): Promise<BenchRecord[]> {
      const name = dcganCase.suite;
      const log = (line: string) => console.error(line);
      const { loaded, forced, python } = await readyTargets(name, options, dcganCase.fastestOnly);
      if (python) await checkPeerParameters(python, dcganCase, options, log);
      const peerArgs = peerArguments(dcganCase, options);
      const best = new Map<string, BenchRecord>();
      const rounds = options.quick ? 1 : 2;
      for (let round = 1; round <= rounds; round++) {
        for (const backend of loaded) {
          for (const threads of threadCounts(backend)) {
            log(`${name}: round ${round}/${rounds}: ${backend}${threads ? `, ${threadsNote(threads)}` : ""}`);
            const job = { suite: name, backend, forced, threads, ratio: 0, options };
            keepBest(best, await measureIsolated(job));
          }
        }
        if (python) {
          log(`${name}: round ${round}/${rounds}: pytorch`);
          keepBest(best, await measurePytorch(python, "pytorch_dcgan_peer.py", peerArgs, options));
        }
      }
      const records = [...best.values()];
      compareWithPytorch(records);
      return records;
    },
  };
}

/** The paper's DCGAN step, `--only dcgan`. */
export const suite: BenchSuite = dcganSuite(PAPER_CASE);
