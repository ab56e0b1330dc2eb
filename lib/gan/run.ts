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
import type { Augmentation, DcganShape } from "../config.ts";
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
    /** The discriminator's, where it differs (DcganTrainingConfig.discriminatorLearningRate). */
    discriminatorLearningRate?: number;
    beta1: number;
    /** Adam's second-moment decay, where it differs from 0.999 (DcganTrainingConfig.beta2). */
    beta2?: number;
    /** Epochs at the end whose learning rate decays to 0; absent in runs made before it existed (0). */
    decayEpochs?: number;
    /** The objective (train.ts's GanObjective). */
    loss: "bce" | "hinge";
    realLabel: number;
    averageDecay: number;
    /** DiffAugment's transforms; absent in runs made before it existed, which trained without. */
    augment?: readonly Augmentation[];
    /** The generator's AC-GAN loss weight. */
    classWeight: number;
    /** The weight of its decade part, where it differs (GanObjective.decadeWeight). */
    decadeWeight?: number;
    /** A second discriminator on pretrained features (GanObjective.projected). */
    projected?: boolean;
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

/**
 * A record as metadata.json stores it: the run's metadata and the format it was written in (absent in
 * records written before formats were numbered).
 */
type StoredRun = RunMetadata & { format?: number };

/**
 * Format 1 → 2. Runs from before poster shapes were square (`shape.size`), with the paper's
 * upsampling and input conditioning, and trained on cross-entropy with real labels at 0.9 and no
 * weight average.
 */
function fillPosterShapeAndObjective(record: StoredRun): StoredRun {
  const { size, ...rest } = record.shape as DcganShape & { size: number };
  return {
    ...record,
    shape: { ...rest, width: size, height: size, upsampling: "transposed", conditioning: "input" },
    training: { ...record.training, loss: "bce", realLabel: 0.9, averageDecay: 0 },
  };
}

/**
 * Format 2 → 3. Runs from before DiffAugment and the AC-GAN head trained without them (not today's
 * defaults).
 */
function fillAugmentAndClassifier(record: StoredRun): StoredRun {
  return {
    ...record,
    shape: { auxiliaryClassifier: false, ...record.shape },
    training: { augment: [], ...record.training },
  };
}

/** Format 3 → 4. Runs from before the learning-rate decay trained at a constant rate. */
function fillDecayEpochs(record: StoredRun): StoredRun {
  return { ...record, training: { decayEpochs: 0, ...record.training } };
}

/** Format 4 → 5. Generators from before conditional batch norm took the condition only as an input. */
function fillGeneratorConditioning(record: StoredRun): StoredRun {
  return { ...record, shape: { generatorConditioning: "input", ...record.shape } };
}

/** Format 5 → 6. Runs from before the class weight was recorded weighed the AC-GAN loss at 1. */
function fillClassWeight(record: StoredRun): StoredRun {
  return { ...record, training: { ...record.training, classWeight: record.training.classWeight ?? 1 } };
}

/** Format 6 → 7. Generators from before skip-layer excitation was recorded had none. */
function fillSkipExcitation(record: StoredRun): StoredRun {
  return { ...record, shape: { ...record.shape, skipExcitation: record.shape.skipExcitation ?? false } };
}

/**
 * Format 7 → 8. Discriminators from before the reconstructing one was recorded had no decoders, and
 * generators no full-size block.
 */
function fillReconstructAndFullSize(record: StoredRun): StoredRun {
  return {
    ...record,
    shape: {
      ...record.shape,
      reconstruct: record.shape.reconstruct ?? false,
      fullSizeFilters: record.shape.fullSizeFilters ?? 0,
    },
  };
}

/** Format 8 → 9. Runs from before the style generator and the projected discriminator had neither. */
function fillStyleAndProjected(record: StoredRun): StoredRun {
  return {
    ...record,
    shape: { ...record.shape, style: record.shape.style ?? false },
    training: { ...record.training, projected: record.training.projected ?? false },
  };
}

/** The upgrade steps of run records: `RUN_UPGRADES[n - 1]` takes format n to n + 1. */
const RUN_UPGRADES: readonly ((record: StoredRun) => StoredRun)[] = [
  fillPosterShapeAndObjective,
  fillAugmentAndClassifier,
  fillDecayEpochs,
  fillGeneratorConditioning,
  fillClassWeight,
  fillSkipExcitation,
  fillReconstructAndFullSize,
  fillStyleAndProjected,
];

/** The format of the run records {@linkcode writeRunMetadata} writes (metadata.json's `format`). */
export const RUN_FORMAT: number = RUN_UPGRADES.length + 1;

/**
 * The format of a stored record. Records from before formats were numbered are format 1 when square,
 * else read as format 2: the steps after it fill in only what a record lacks, so a newer unnumbered
 * record passes through them unchanged.
 */
function formatOf(record: StoredRun): number {
  if (record.format !== undefined) return record.format;
  const shape = record.shape as DcganShape & { size?: number };
  return shape.size !== undefined && shape.width === undefined ? 1 : 2;
}

/**
 * A stored run record in today's format: each upgrade step from its format on, in order, fills in
 * what the runs of that format trained with but did not record.
 *
 * @example
 * ```ts
 * import { upgradeRunRecord } from "./run.ts";
 * declare const stored: object; // JSON.parse of an old metadata.json
 * console.log(upgradeRunRecord(stored).training.decayEpochs); // 0: old runs had no decay
 * ```
 */
export function upgradeRunRecord(stored: object): RunMetadata {
  let record = stored as StoredRun;
  const format = formatOf(record);
  if (!Number.isInteger(format) || format < 1) {
    throw new Error(`its format ${format} is no run-record format`);
  }
  if (format > RUN_FORMAT) {
    throw new Error(
      `it is format ${format}, newer than this posterlab reads (${RUN_FORMAT}): update posterlab`,
    );
  }
  for (const upgrade of RUN_UPGRADES.slice(format - 1)) record = upgrade(record);
  const { format: _, ...metadata } = record;
  return metadata;
}

/**
 * Reads a run's metadata in today's format (see {@linkcode upgradeRunRecord}), or undefined when the run
 * has none yet.
 */
export async function readRunMetadata(runDir: string): Promise<RunMetadata | undefined> {
  const text = await readTextIfExists(runPaths(runDir).metadata);
  if (text === undefined) return undefined;
  let stored: object;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    throw new Error(`${runPaths(runDir).metadata} is not valid JSON (${(error as Error).message}).`);
  }
  try {
    return upgradeRunRecord(stored);
  } catch (error) {
    throw new Error(`${runPaths(runDir).metadata}: ${(error as Error).message}.`);
  }
}

/** Writes a run's metadata atomically, in format {@linkcode RUN_FORMAT}. */
export async function writeRunMetadata(runDir: string, metadata: RunMetadata): Promise<void> {
  await writeJsonAtomically(runPaths(runDir).metadata, {
    format: RUN_FORMAT,
    ...metadata,
    updatedAt: new Date().toISOString(),
  });
}
