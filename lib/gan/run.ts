/**
 * A DCGAN run's folder and its metadata.json: the record of what was trained, on what, how fast, and
 * how good it got.
 *
 * ```
 * runs/dcgan/<name>/
 *   metadata.json          RunMetadata (written after every checkpoint)
 *   real.png               a grid of training posters, for comparison
 *   grids/step_000010.png  fixed-noise samples every --sample-rate steps (step 0: the untrained generator)
 *   checkpoint/            networks + Adam states + position (see checkpoint.ts)
 *   generators/epoch_001/  the generator at each epoch end
 *   training.webp          the grids as an animation (+ training.mp4 where ffmpeg exists)
 *   samples/               grids written by `deno task dcgan:sample`
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { readTextIfExists, writeJsonAtomically } from "../util/files.ts";
import type { Augmentation } from "../config.ts";
import type { DcganShape } from "../models/dcgan.ts";
import type { GanSelection } from "./prepare.ts";
import type { QualityRecord } from "./quality_cnn.ts";

/** Paths of one run. */
export function runPaths(runDir: string) {
  return {
    metadata: join(runDir, "metadata.json"),
    realGrid: join(runDir, "real.png"),
    grids: join(runDir, "grids"),
    grid: (step: number) => join(runDir, "grids", `step_${String(step).padStart(6, "0")}.png`),
    checkpoint: join(runDir, "checkpoint"),
    /** The generator as it was at the end of `epoch`, kept for quality figures measured later. */
    epochGenerator: (epoch: number) => join(runDir, "generators", `epoch_${String(epoch).padStart(3, "0")}`),
    video: join(runDir, "training.webp"),
    samples: join(runDir, "samples"),
  };
}

/** Losses of one gradient step. */
export interface StepRecord {
  step: number;
  epoch: number;
  /** Discriminator loss (real + fake binary cross-entropy). */
  dLoss: number;
  /** Generator loss (non-saturating: cross-entropy of fakes labelled real). */
  gLoss: number;
  /** Mean discriminator probability on real and on generated posters. */
  dReal: number;
  dFake: number;
}

/** Everything recorded about a run. */
export interface RunMetadata {
  name: string;
  /** ISO times. */
  startedAt: string;
  updatedAt: string;
  shape: DcganShape;
  conditional: boolean;
  training: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    beta1: number;
    /** Epochs at the end whose learning rate decays to 0; absent in runs made before it existed (0). */
    decayEpochs?: number;
    /** The objective (train.ts's GanObjective). */
    loss: "bce" | "hinge";
    realLabel: number;
    averageDecay: number;
    /** DiffAugment's transforms; absent in runs made before it existed, which trained without. */
    augment?: readonly Augmentation[];
    sampleRate: number;
    seed: number;
  };
  dataset: { key: string; selection: GanSelection; count: number; stepsPerEpoch: number };
  /** Backend of the latest session (a resumed run may change it). */
  backend: string;
  /** What each grid row and column shows (conditional runs: genre per row, decade per column). */
  gridLayout: { rows: number; columns: number; rowLabels?: string[]; columnLabels?: string[] };
  /** Gradient steps done, epochs done. */
  step: number;
  epoch: number;
  finished: boolean;
  history: StepRecord[];
  /**
   * The Fréchet distance between two disjoint halves of the real training posters (`samples` each,
   * as many as each distance in `quality` compares): the floor a perfect generator would reach.
   */
  frechetFloor?: { distance: number; samples: number };
  /** One record per epoch-end checkpoint. */
  quality: QualityRecord[];
  timings: { trainSeconds: number; stepsPerSecond: number; imagesPerSecond: number };
  video?: { animation: string; mp4?: string; mp4Skipped?: string; frames: number };
}

/** One sample grid of a run. */
export interface RunGrid {
  step: number;
  path: string;
}

/** The sample grids of a run, in step order (none when the run has not written any). */
export async function runGrids(runDir: string): Promise<RunGrid[]> {
  const dir = runPaths(runDir).grids;
  const grids: RunGrid[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const match = /^step_(\d+)\.png$/.exec(entry.name);
      if (match) grids.push({ step: Number(match[1]), path: join(dir, entry.name) });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return grids.sort((a, b) => a.step - b.step);
}

/** Reads a run's metadata, or undefined when the run has none yet. */
export async function readRunMetadata(runDir: string): Promise<RunMetadata | undefined> {
  const text = await readTextIfExists(runPaths(runDir).metadata);
  if (text === undefined) return undefined;
  try {
    const metadata = JSON.parse(text) as RunMetadata;
    // Runs from before poster shapes were square, with the paper's upsampling and input conditioning.
    const old = metadata.shape as DcganShape & { size?: number };
    if (old.size !== undefined && old.width === undefined) {
      const { size, ...rest } = old;
      metadata.shape = {
        ...rest,
        width: size,
        height: size,
        upsampling: "transposed",
        conditioning: "input",
      };
      metadata.training = { ...metadata.training, loss: "bce", realLabel: 0.9, averageDecay: 0 };
    }
    // Runs from before DiffAugment and the AC-GAN head trained without them (not today's defaults).
    metadata.training = { augment: [], decayEpochs: 0, ...metadata.training };
    metadata.shape = { auxiliaryClassifier: false, ...metadata.shape };
    return metadata;
  } catch (error) {
    throw new Error(`${runPaths(runDir).metadata} is not valid JSON (${(error as Error).message}).`);
  }
}

/** Writes a run's metadata atomically. */
export async function writeRunMetadata(runDir: string, metadata: RunMetadata): Promise<void> {
  await writeJsonAtomically(runPaths(runDir).metadata, { ...metadata, updatedAt: new Date().toISOString() });
}
