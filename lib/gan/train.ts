/**
 * DCGAN training: alternating discriminator and generator updates with Adam (2e-4, beta1 0.5), a grid
 * of fixed-noise samples every `sampleRate` steps, checkpoints that `resume` continues from exactly,
 * quality figures at every epoch end, and a video of the grids at the end.
 *
 * Each step: the discriminator learns real posters against a batch of fakes; then the generator
 * learns to make the discriminator say "real". Losses: the paper's cross-entropy (the generator's
 * non-saturating form; real posters labelled 0.9 by default, one-sided label smoothing) or the hinge
 * loss of SAGAN/BigGAN. The conditional model feeds each real poster's genres and decade to both
 * networks, and asks the generator for fakes with the same conditions; with an AC-GAN head the
 * discriminator also learns to name real posters' genres and decade, and the generator is scored on
 * whether its fakes get their asked ones. With DiffAugment every image the discriminator sees, real
 * or fake, is augmented first, with a fresh random draw for each pass. Samples, quality figures and epoch snapshots come
 * from a moving average of the generator's weights unless it is turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createAdam } from "../training/adam.ts";
import { linearDecayTailAt } from "../training/schedule.ts";
import {
  ALL_GENRES,
  type DcganTrainingConfig,
  DEFAULT_DCGAN_TRAINING,
  DEFAULT_OBJECTIVE,
  type GanObjective,
} from "../config.ts";
import {
  buildDiscriminator,
  buildGenerator,
  classifierLoss,
  conditionVector,
  type DcganShape,
  DECADES,
  DEFAULT_DCGAN_SHAPE,
  resolveShape,
  sizeName,
} from "../models/dcgan.ts";
import { saveModelFiles } from "../models/saved.ts";
import { writeFolderAtomically } from "../util/files.ts";
import { Progress } from "../util/progress.ts";
import { epochOrder } from "../training/batches.ts";
import { checkResumable, checkResumePolicy, TrainingInterrupted } from "../training/run.ts";
import {
  type GanNetworks,
  type GanState,
  loadGanCheckpoint,
  restoreOptimizers,
  saveGanCheckpoint,
} from "./checkpoint.ts";
import { writeGrid } from "./grid.ts";
import { updateAverage } from "./ema.ts";
import { augment } from "./augment.ts";
import { imagesAtSize, type TrainingSet } from "./prepare.ts";
import { describeQuality, measureQuality, realReference } from "./generator_quality.ts";
import type { QualityCnn } from "./quality_cnn.ts";
import { conditionTensor, imageBatch, setConditions } from "./tensors.ts";
import {
  readRunMetadata,
  type RunGrid,
  runGrids,
  type RunMetadata,
  runPaths,
  type StepRecord,
  writeRunMetadata,
} from "./run.ts";
import { generate, toImageBatch } from "./sample.ts";
import { writeTrainingVideo } from "./video.ts";
import { createLog } from "../util/log.ts";

/** Adam settings of Radford et al. */
export const LEARNING_RATE = DEFAULT_DCGAN_TRAINING.learningRate;
export const BETA1 = DEFAULT_DCGAN_TRAINING.beta1;
/**
 * Config keys a resumed DCGAN run may change: train longer, decay the learning rate over its last
 * epochs (steps already done keep the rate they had), sample more or less often.
 */
export const DCGAN_RESUMABLE_CHANGES: readonly string[] = [
  "training.epochs",
  "training.decayEpochs",
  "training.sampleRate",
];

// The objective's type and defaults live in lib/config.ts with every other default.
export { DEFAULT_OBJECTIVE } from "../config.ts";
export type { GanLoss, GanObjective } from "../config.ts";

/**
 * How a run trains: the {@linkcode DcganTrainingConfig} fields (start from `DEFAULT_DCGAN_TRAINING`;
 * Adam's settings are the paper's, fixed), the set, the networks and the run's folder.
 */
export interface DcganTrainOptions extends Omit<DcganTrainingConfig, "learningRate" | "beta1"> {
  /** The run's folder, `runs/dcgan/<name>`. */
  runDir: string;
  set: TrainingSet;
  /** Network shape; `conditionSize > 0` trains the conditional model. */
  shape: DcganShape;
  /** Loss, label smoothing, weight average; default {@linkcode DEFAULT_OBJECTIVE}. */
  objective?: GanObjective;
  /**
   * Continue the run in `runDir` from its checkpoint: an error when there is none; without it, a run
   * folder holding a checkpoint is an error (see lib/training/run.ts).
   */
  resume: boolean;
  /** Backend name, for the metadata. */
  backend: string;
  /** CNN for the quality figures; none skips them. */
  qualityCnn?: QualityCnn;
  /**
   * Stops the run at the next step boundary, after writing a checkpoint (e.g. on Ctrl-C): the call
   * then throws {@linkcode TrainingInterrupted}.
   */
  signal?: AbortSignal;
  /** Called after every step with its losses. */
  onStep?: (record: StepRecord) => void;
  /** Messages (resume, quality, video); default stderr. */
  log?: (line: string) => void;
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** What a finished call of {@linkcode trainDcgan} returns. */
export interface DcganTrainResult {
  metadata: RunMetadata;
  /** The sample grids of the run, in step order. */
  grids: RunGrid[];
}

/** Fixed inputs of the sample grid: noise, and for conditional runs one genre per row, one decade per column. */
function gridInputs(options: DcganTrainOptions, conditions: Float32Array[]) {
  const count = options.gridRows * options.gridColumns;
  const noise = tf.randomNormal(
    [count, options.shape.latentDim],
    0,
    1,
    "float32",
    options.seed,
  ) as tf.Tensor2D;
  if (options.shape.conditionSize === 0) {
    return { noise, conditions: undefined, rowLabels: undefined, columnLabels: undefined };
  }
  // Rows: the set's most common genres; columns: its decades, repeated.
  const genreCounts = ALL_GENRES.map((_, g) => conditions.reduce((n, c) => n + c[g], 0));
  const rowGenres = ALL_GENRES.map((genre, g) => ({ genre, n: genreCounts[g] }))
    .filter((x) => x.n > 0).sort((a, b) => b.n - a.n).map((x) => x.genre);
  const decades = DECADES.filter((_, d) => conditions.some((c) => c[ALL_GENRES.length + d] === 1));
  const rowLabels = Array.from({ length: options.gridRows }, (_, r) => rowGenres[r % rowGenres.length]);
  const columnLabels = Array.from({ length: options.gridColumns }, (_, c) => decades[c % decades.length]);
  const values = new Float32Array(count * options.shape.conditionSize);
  for (let r = 0; r < options.gridRows; r++) {
    for (let c = 0; c < options.gridColumns; c++) {
      values.set(
        conditionVector([rowLabels[r]], columnLabels[c]),
        (r * options.gridColumns + c) * options.shape.conditionSize,
      );
    }
  }
  return {
    noise,
    conditions: tf.tensor2d(values, [count, options.shape.conditionSize]),
    rowLabels,
    columnLabels: columnLabels.map((d) => `${d}s`),
  };
}

/**
 * One DCGAN step on a batch of real posters: a discriminator update, then a generator update.
 * `noiseSeed` makes the step's noise reproducible (so a resumed run repeats the same steps).
 */
export function trainStep(
  nets: GanNetworks,
  real: tf.Tensor4D,
  conditions: tf.Tensor2D | undefined,
  latentDim: number,
  noiseSeed: number,
  objective: Pick<GanObjective, "loss" | "realLabel" | "augment"> = DEFAULT_OBJECTIVE,
): Omit<StepRecord, "step" | "epoch"> {
  const hinge = objective.loss === "hinge";
  const policy = objective.augment ?? DEFAULT_OBJECTIVE.augment ?? [];
  const values = tf.tidy(() => {
    const batch = real.shape[0];
    const noise = tf.randomNormal([batch, latentDim], 0, 1, "float32", noiseSeed);
    const withCondition = (x: tf.Tensor) => (conditions ? [x, conditions] : x);
    // The discriminator's verdict on images after augmentation (a distinct draw for each use), split
    // into the real-vs-fake logit and, with an AC-GAN head, the condition's logits.
    let draws = 0;
    const judge = (images: tf.Tensor) => {
      const seen = augment(images as tf.Tensor4D, policy, noiseSeed * 4 + draws++);
      const out = nets.discriminator.apply(withCondition(seen), { training: true }) as
        | tf.Tensor
        | tf.Tensor[];
      return Array.isArray(out) ? { logit: out[0], classes: out[1] as tf.Tensor2D } : { logit: out };
    };
    // Fakes for the discriminator's update are constants: no gradient flows into the generator here.
    const fake = nets.generator.apply(withCondition(noise), { training: true }) as tf.Tensor;
    const realLabels = tf.fill([batch, 1], objective.realLabel);
    const fakeLabels = tf.zeros([batch, 1]);
    let dReal = tf.scalar(0);
    let dFake = tf.scalar(0);
    const dLoss = nets.discriminatorOptimizer.minimize(
      () => {
        const onReal = judge(real);
        const onFake = judge(fake);
        dReal = tf.keep(tf.sigmoid(onReal.logit).mean());
        dFake = tf.keep(tf.sigmoid(onFake.logit).mean());
        const adversarial = hinge
          ? tf.relu(tf.sub(1, onReal.logit)).mean().add(tf.relu(tf.add(1, onFake.logit)).mean())
          : tf.losses.sigmoidCrossEntropy(realLabels, onReal.logit)
            .add(tf.losses.sigmoidCrossEntropy(fakeLabels, onFake.logit));
        // The classifier learns genres and decades from real posters only, so it never learns the
        // generator's mistakes as a genre's look.
        return (onReal.classes
          ? adversarial.add(classifierLoss(conditions!, onReal.classes))
          : adversarial) as tf.Scalar;
      },
      true,
      trainable(nets.discriminator),
    )!;
    const gLoss = nets.generatorOptimizer.minimize(
      () => {
        const generated = nets.generator.apply(withCondition(noise), { training: true }) as tf.Tensor;
        const { logit, classes } = judge(generated);
        const adversarial = hinge
          ? logit.mean().neg()
          : tf.losses.sigmoidCrossEntropy(tf.onesLike(logit), logit);
        return (classes ? adversarial.add(classifierLoss(conditions!, classes)) : adversarial) as tf.Scalar;
      },
      true,
      trainable(nets.generator),
    )!;
    const stacked = tf.stack([dLoss, gLoss, dReal, dFake]);
    // Kept so they outlive minimize()'s scope; tidy leaves kept tensors alone.
    tf.dispose([dReal, dFake]);
    return stacked;
  });
  const [dLoss, gLoss, dReal, dFake] = values.dataSync();
  values.dispose();
  return { dLoss, gLoss, dReal, dFake };
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Fresh networks (seeded initial weights), Adam optimizers with the paper's settings, the average. */
export function newNetworks(shape: DcganShape, seed: number, objective: GanObjective): GanNetworks {
  const generator = buildGenerator({ ...shape, seed });
  const nets: GanNetworks = {
    generator,
    discriminator: buildDiscriminator({ ...shape, seed }),
    generatorOptimizer: createAdam(LEARNING_RATE, BETA1),
    discriminatorOptimizer: createAdam(LEARNING_RATE, BETA1),
  };
  if (objective.averageDecay > 0) {
    nets.average = buildGenerator({ ...shape, seed });
    nets.average.setWeights(generator.getWeights());
  }
  return nets;
}

/** Starts a new run (refusing to overwrite one) or loads the checkpoint of the run to resume. */
async function openRun(
  options: DcganTrainOptions,
  stepsPerEpoch: number,
  grid: ReturnType<typeof gridInputs>,
  log: (line: string) => void,
): Promise<{ nets: GanNetworks; state: GanState; record: RunMetadata }> {
  const { shape } = options;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const paths = runPaths(options.runDir);
  let nets: GanNetworks;
  let state: GanState = { step: 0, epoch: 0, batchInEpoch: 0, trainSeconds: 0 };
  await checkResumePolicy(options.runDir, paths.checkpoint, options.resume);
  const metadata = options.resume ? await readRunMetadata(options.runDir) : undefined;
  if (options.resume) {
    if (!metadata) {
      throw new Error(
        `Nothing to resume in ${options.runDir}: its metadata.json is missing. Train without --resume.`,
      );
    }
    checkResumable(
      options.runDir,
      resumeRecord(metadata),
      resumeRecord(newMetadata(options, stepsPerEpoch, grid)),
      DCGAN_RESUMABLE_CHANGES,
    );
    const checkpoint = (await loadGanCheckpoint(paths.checkpoint))!;
    nets = {
      generator: checkpoint.generator,
      discriminator: checkpoint.discriminator,
      generatorOptimizer: createAdam(LEARNING_RATE, BETA1),
      discriminatorOptimizer: createAdam(LEARNING_RATE, BETA1),
      ...(checkpoint.average ? { average: checkpoint.average } : {}),
    };
    await restoreOptimizers(nets, checkpoint);
    state = checkpoint.state;
    // Steps after the checkpoint were lost with the interrupted process: forget their records.
    metadata.history = metadata.history.filter((h) => h.step <= state.step);
    metadata.quality = metadata.quality.filter((q) => q.step <= state.step);
    metadata.training.epochs = options.epochs;
    metadata.training.decayEpochs = options.decayEpochs;
    metadata.training.sampleRate = options.sampleRate;
    metadata.backend = options.backend;
    metadata.finished = false;
    // The schedule is said out loud: a resume that leaves out --decay-epochs trains on at a constant rate.
    const decay = options.decayEpochs ? `, the last ${options.decayEpochs} decaying` : ", constant rate";
    log(
      `dcgan: resuming ${options.runDir} at step ${state.step} ` +
        `(${state.epoch} of ${options.epochs} epochs done${decay})`,
    );
  } else {
    nets = newNetworks(shape, options.seed, objective);
  }
  return { nets, state, record: metadata ?? newMetadata(options, stepsPerEpoch, grid) };
}

/**
 * What a resume compares: the networks, the set and how they train. A setting an old run does not
 * record is filled in by readRunMetadata with what that run trained with.
 */
function resumeRecord(metadata: RunMetadata) {
  return {
    shape: { ...DEFAULT_DCGAN_SHAPE, ...metadata.shape, seed: undefined },
    set: metadata.dataset.key,
    training: { ...DEFAULT_OBJECTIVE, ...metadata.training },
  };
}

/** The metadata of a run that starts now. */
function newMetadata(
  options: DcganTrainOptions,
  stepsPerEpoch: number,
  grid: ReturnType<typeof gridInputs>,
): RunMetadata {
  const { shape, set } = options;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  return {
    name: options.runDir.split("/").at(-1)!,
    startedAt: new Date().toISOString(),
    updatedAt: "",
    shape: resolveShape(shape),
    conditional: shape.conditionSize > 0,
    training: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: LEARNING_RATE,
      beta1: BETA1,
      decayEpochs: options.decayEpochs,
      ...DEFAULT_OBJECTIVE,
      ...objective,
      sampleRate: options.sampleRate,
      seed: options.seed,
    },
    dataset: { key: set.key, selection: set.selection, count: set.movies.length, stepsPerEpoch },
    backend: options.backend,
    gridLayout: {
      rows: options.gridRows,
      columns: options.gridColumns,
      ...(grid.rowLabels ? { rowLabels: grid.rowLabels, columnLabels: grid.columnLabels } : {}),
    },
    step: 0,
    epoch: 0,
    finished: false,
    history: [],
    quality: [],
    timings: { trainSeconds: 0, stepsPerSecond: 0, imagesPerSecond: 0 },
  };
}

/** Trains (or resumes) a run; see {@linkcode DcganTrainOptions}. */
export async function trainDcgan(options: DcganTrainOptions): Promise<DcganTrainResult> {
  const log = options.log ?? createLog();
  const paths = runPaths(options.runDir);
  const { shape, set } = options;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const conditional = shape.conditionSize > 0;
  const stepsPerEpoch = Math.floor(set.movies.length / options.batchSize);
  if (stepsPerEpoch < 1) {
    throw new Error(
      `The training set has ${set.movies.length} posters, fewer than one batch of ${options.batchSize}: ` +
        `use a smaller --batch or prepare a wider selection.`,
    );
  }
  if (
    !(Number.isInteger(options.decayEpochs) && options.decayEpochs >= 0 &&
      options.decayEpochs <= options.epochs)
  ) {
    throw new Error(
      `decayEpochs must be a whole number from 0 to epochs (${options.epochs}), got ${options.decayEpochs}.`,
    );
  }
  const conditions = setConditions(set);
  const grid = gridInputs(options, conditions);
  const { nets, state, record } = await openRun(options, stepsPerEpoch, grid, log);

  log(
    `dcgan: ${set.movies.length} posters of ${set.key} (${set.width}x${set.height}), at ${sizeName(shape)}`,
  );
  if (set.width < shape.width || set.height < shape.height) {
    log(
      `dcgan: the set's posters (${set.width}x${set.height}) are smaller than ${sizeName(shape)} and are ` +
        `scaled up: prepare it with --size ${sizeName(shape)} for sharp training posters`,
    );
  }
  const pixels = await imagesAtSize(set, shape);
  const layout = {
    rows: options.gridRows,
    columns: options.gridColumns,
    // Square models are shown stretched to a poster's shape; poster-shaped ones as they are.
    posterAspect: shape.width === shape.height,
  };
  await writeGrid(paths.realGrid, {
    count: set.movies.length,
    height: shape.height,
    width: shape.width,
    pixels,
  }, layout);
  const quality = options.qualityCnn
    ? realReference(options.qualityCnn, pixels, shape, conditions, options)
    : undefined;
  if (quality) {
    record.frechetFloor = { distance: quality.frechetFloor, samples: quality.features.count };
    log(
      `dcgan: Fréchet distance floor ${quality.frechetFloor} (two halves of ${quality.features.count} ` +
        `real posters, ${options.qualityCnn!.name} CNN)`,
    );
  }
  const sampler = () => nets.average ?? nets.generator;

  const writeSampleGrid = async (step: number) => {
    const images = tf.tidy(() => generate(sampler(), grid.noise, grid.conditions));
    const batch = toImageBatch(images);
    images.dispose();
    await writeGrid(paths.grid(step), batch, layout);
  };
  const checkpoint = async () => {
    await saveGanCheckpoint(paths.checkpoint, nets, state);
    record.step = state.step;
    record.epoch = state.epoch;
    record.timings = {
      trainSeconds: state.trainSeconds,
      stepsPerSecond: state.trainSeconds > 0 ? state.step / state.trainSeconds : 0,
      imagesPerSecond: state.trainSeconds > 0 ? (state.step * options.batchSize) / state.trainSeconds : 0,
    };
    await writeRunMetadata(options.runDir, record);
  };

  const measure = () => {
    const figures = measureQuality(
      options.qualityCnn!,
      quality!,
      sampler(),
      options,
      state,
      nets.generator,
    );
    record.quality.push(figures);
    log(`\ndcgan: epoch ${state.epoch} quality: ${describeQuality(figures)}`);
  };
  if (state.step === 0) {
    await writeSampleGrid(0);
    if (quality) measure(); // the untrained generator: where the distance starts from
  }
  const totalSteps = stepsPerEpoch * options.epochs;
  const progress = new Progress(`dcgan ${sizeName(shape)}`, Math.max(1, totalSteps - state.step), {
    unit: "steps",
    ...(options.progress === false ? { sink: () => {} } : {}),
  });
  const release = () => {
    disposeNetworks(nets);
    tf.dispose([grid.noise, grid.conditions].filter((t) => t !== undefined));
  };
  while (state.epoch < options.epochs) {
    const order = epochOrder(set.movies.length, options.seed, state.epoch);
    for (let b = state.batchInEpoch; b < stepsPerEpoch; b++) {
      if (options.signal?.aborted) {
        progress.finish();
        await checkpoint();
        release();
        throw new TrainingInterrupted(
          `DCGAN training stopped at step ${state.step}; checkpoint in ${paths.checkpoint}: rerun with --resume`,
          paths.checkpoint,
        );
      }
      const indices = order.subarray(b * options.batchSize, (b + 1) * options.batchSize);
      const real = imageBatch(pixels, shape, indices);
      const cond = conditional ? conditionTensor(conditions, indices) : undefined;
      const learningRate = linearDecayTailAt(
        { peak: LEARNING_RATE, totalSteps, decaySteps: stepsPerEpoch * options.decayEpochs },
        state.step,
      );
      nets.generatorOptimizer.setLearningRate(learningRate);
      nets.discriminatorOptimizer.setLearningRate(learningRate);
      const started = performance.now();
      const losses = trainStep(
        nets,
        real,
        cond,
        shape.latentDim,
        options.seed * 7919 + state.step,
        objective,
      );
      if (nets.average) updateAverage(nets.average, nets.generator, objective.averageDecay, state.step);
      state.trainSeconds += (performance.now() - started) / 1000;
      tf.dispose([real, cond].filter((t) => t !== undefined));
      state.step++;
      state.batchInEpoch = b + 1;
      const stepRecord = { step: state.step, epoch: state.epoch + 1, ...round(losses) };
      record.history.push(stepRecord);
      options.onStep?.(stepRecord);
      progress.tick(
        1,
        `epoch ${state.epoch + 1}/${options.epochs}  D ${losses.dLoss.toFixed(3)}  G ${
          losses.gLoss.toFixed(3)
        }${learningRate < LEARNING_RATE ? `  lr ${learningRate.toExponential(2)}` : ""}`,
      );
      if (state.step % options.sampleRate === 0) await writeSampleGrid(state.step);
      if (state.batchInEpoch === stepsPerEpoch) {
        state.epoch++;
        state.batchInEpoch = 0;
        if (quality) measure();
        await writeFolderAtomically(
          paths.epochGenerator(state.epoch),
          (tmp) => saveModelFiles(sampler(), tmp),
        );
        await checkpoint();
      } else if (state.step % options.checkpointEvery === 0) {
        await checkpoint();
      }
    }
  }
  progress.finish();
  if (state.step % options.sampleRate !== 0) await writeSampleGrid(state.step);
  record.finished = true;
  const grids = await runGrids(options.runDir);
  record.video = await writeTrainingVideo(paths.video, grids.map((g) => g.path));
  await checkpoint();
  log(
    `dcgan: video ${record.video.animation}${
      record.video.mp4 ? ` and ${record.video.mp4}` : ` (${record.video.mp4Skipped})`
    }`,
  );
  release();
  return { metadata: record, grids };
}

function round(losses: Omit<StepRecord, "step" | "epoch">): Omit<StepRecord, "step" | "epoch"> {
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { dLoss: r(losses.dLoss), gLoss: r(losses.gLoss), dReal: r(losses.dReal), dFake: r(losses.dFake) };
}

function disposeNetworks(nets: GanNetworks): void {
  nets.average?.dispose();
  nets.generator.dispose();
  nets.discriminator.dispose();
  nets.generatorOptimizer.dispose();
  nets.discriminatorOptimizer.dispose();
}
