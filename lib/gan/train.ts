/**
 * DCGAN training as a task of the training loop (lib/training/loop.ts): the step of step.ts on each
 * batch of real posters, a grid of fixed-noise samples every `sampleRate` steps, quality figures and a
 * generator snapshot at every epoch end, the run's record (metadata.json) written with every
 * checkpoint, and a video of the grids at the end. The loop does the rest: resume, checkpoints,
 * Ctrl-C, the learning-rate schedule hook, progress.
 *
 * Samples, quality figures and epoch snapshots come from a moving average of the generator's weights
 * unless it is turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { linearDecayTailAt } from "../training/schedule.ts";
import {
  ALL_GENRES,
  dcganGrowthProblems,
  type DcganShape,
  type DcganTrainingConfig,
  dcganTrainingProblems,
  DEFAULT_OBJECTIVE,
  type GanObjective,
} from "../config.ts";
import { conditionVector, DECADES, resolveShape, sizeName } from "../models/dcgan.ts";
import { modelFolderOptions, saveModelFiles } from "../models/saved.ts";
import { loadPretrainedMaps } from "../models/projected_discriminator.ts";
import { writeFolderAtomically } from "../util/files.ts";
import type { LoadedCheckpoint, Position } from "../training/checkpoint.ts";
import { type TrainingTask, trainLoop } from "../training/loop.ts";
import { stepsPerEpoch } from "../training/batches.ts";
import { lockRun, type RunLock } from "../training/run.ts";
import { disposeNetworks, type GanNetworks, newNetworks, trainStep } from "./step.ts";
import { createAdam } from "../training/adam.ts";
import { GAN_PARTS } from "./checkpoint.ts";
import { writeGrid } from "./grid.ts";
import { updateAverage } from "./ema.ts";
import { atFullSize, atGeneratorSize, builtLevel, growthPhase, growTo, layersOf, setFade } from "./growth.ts";
import { imagesAtSize, type TrainingSet } from "./prepare.ts";
import { describeQuality, measureIndependent, measureQuality, realReference } from "./generator_quality.ts";
import { describeJudged, type ImageJudge } from "./inception_distance.ts";
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
import { newMetadata, resumedMetadata, resumeRecord, withPosition } from "./run_record.ts";
import { createLog } from "../util/log.ts";

/**
 * Config keys a resumed DCGAN run may change: train longer, decay the learning rate over its last
 * epochs (steps already done keep the rate they had), sample more or less often.
 */
export const DCGAN_RESUMABLE_CHANGES: readonly string[] = [
  "training.epochs",
  "training.decayEpochs",
  "training.sampleRate",
];

/**
 * How a run trains: the {@linkcode DcganTrainingConfig} fields (start from `DEFAULT_DCGAN_TRAINING`),
 * the set, the networks and the run's folder.
 */
export interface DcganTrainOptions extends DcganTrainingConfig {
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
   * With the quality figures: loads the independent judge (InceptionV3, inception_distance.ts) at the
   * end of the run, whose distance goes beside the last epoch's (about a minute with the native backend
   * for 256 posters a side; docs/dcgan.md).
   */
  independentJudge?: () => Promise<ImageJudge>;
  /**
   * Stops the run before the next step, after writing a checkpoint (e.g. on Ctrl-C): the call then
   * throws {@linkcode TrainingInterrupted}.
   */
  signal?: AbortSignal;
  /** Called after every step with its losses. */
  onStep?: (record: StepRecord) => void;
  /** Messages (resume, quality, video); default stderr. */
  log?: (line: string) => void;
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** The DCGAN's task, with the last grid it draws once the loop ends. */
type DcganTask = TrainingTask & { finish(position: Position): Promise<void> };

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
 * Trains (or resumes) a run; see {@linkcode DcganTrainOptions}. The run folder is locked throughout (see
 * lib/training/run.ts lockRun): a second process on the same run is refused.
 */
export async function trainDcgan(options: DcganTrainOptions): Promise<DcganTrainResult> {
  const log = options.log ?? createLog();
  const lock = await lockRun(options.runDir, log);
  try {
    return await trainLockedDcgan({ ...options, log }, lock);
  } finally {
    await lock.release();
  }
}

async function trainLockedDcgan(options: DcganTrainOptions, lock: RunLock): Promise<DcganTrainResult> {
  const log = options.log ?? createLog();
  const paths = runPaths(options.runDir);
  const { shape, set } = options;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const conditional = shape.conditionSize > 0;
  const problems = [
    ...dcganTrainingProblems(options),
    ...dcganGrowthProblems(resolveShape(shape), options.epochs, objective),
  ];
  if (problems.length) throw new Error(problems.map((p) => `${p.setting} ${p.problem}`).join(" "));
  const conditions = setConditions(set);
  const grid = gridInputs(options, conditions);
  let record: RunMetadata | undefined;

  const createTask = async (
    saved: LoadedCheckpoint | undefined,
    stepsPerEpoch: number,
  ): Promise<DcganTask> => {
    // The frozen network is never in the checkpoint: it installs with nsfwjs.
    const maps = objective.projected ? await loadPretrainedMaps(shape) : undefined;
    const nets = saved
      ? await restoredNetworks(saved, options, maps)
      : newNetworks(shape, options.seed, objective, options, maps);
    const run = record = saved
      ? resumedMetadata((await readRunMetadata(options.runDir))!, saved.state.position, options)
      : newMetadata(options, stepsPerEpoch, grid);
    if (saved) {
      // The schedule is said out loud: a resume that leaves out --decay-epochs trains on at a constant rate.
      const decay = options.decayEpochs ? `, the last ${options.decayEpochs} decaying` : ", constant rate";
      log(
        `dcgan: resuming ${options.runDir} at step ${saved.state.position.step} ` +
          `(${saved.state.position.epoch} of ${options.epochs} epochs done${decay})`,
      );
    }
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
      run.frechetFloor = { distance: quality.frechetFloor, samples: quality.features.count };
      log(
        `dcgan: Fréchet distance floor ${quality.frechetFloor} (two halves of ${quality.features.count} ` +
          `real posters, ${options.qualityCnn!.name} CNN)`,
      );
    }
    // A growing run's smaller sizes are shown and measured scaled up to the full size.
    const sampler = () => atFullSize(nets.average ?? nets.generator, shape);
    const writeSampleGrid = async (step: number) => {
      const images = tf.tidy(() => generate(sampler(), grid.noise, grid.conditions));
      const batch = toImageBatch(images);
      images.dispose();
      await writeGrid(paths.grid(step), batch, layout);
    };
    const measure = (position: Position) => {
      const figures = measureQuality(
        options.qualityCnn!,
        quality!,
        sampler(),
        options,
        position,
        atFullSize(nets.generator, shape),
      );
      run.quality.push(figures);
      log(`\ndcgan: epoch ${position.epoch} quality: ${describeQuality(figures)}`);
    };
    const start = saved?.state.position ?? { step: 0, epoch: 0, batchInEpoch: 0, trainSeconds: 0 };
    if (start.step === 0) {
      await writeSampleGrid(0);
      if (quality) measure(start); // the untrained generator: where the distance starts from
    }
    const schedule = {
      peak: options.learningRate,
      totalSteps: stepsPerEpoch * options.epochs,
      decaySteps: stepsPerEpoch * options.decayEpochs,
    };
    const discriminatorPeak = options.discriminatorLearningRate ?? options.learningRate;
    return {
      setLearningRate(step) {
        const rate = linearDecayTailAt(schedule, step);
        nets.generatorOptimizer.setLearningRate(rate);
        nets.discriminatorOptimizer.setLearningRate(
          linearDecayTailAt({ ...schedule, peak: discriminatorPeak }, step),
        );
        return rate;
      },
      step({ indices, position, seed, learningRate }) {
        if (nets.growth) {
          const phase = growthPhase(shape, stepsPerEpoch, position.step);
          growTo(nets, shape, phase.level);
          setFade(nets, phase.alpha);
        }
        const posters = imageBatch(pixels, shape, indices);
        const real = atGeneratorSize(posters, nets.generator);
        const cond = conditional ? conditionTensor(conditions, indices) : undefined;
        const losses = trainStep(nets, real, cond, shape.latentDim, seed, objective);
        if (nets.average) updateAverage(nets.average, nets.generator, objective.averageDecay, position.step);
        tf.dispose([posters, real, cond].filter((t) => t !== undefined));
        const stepRecord = { step: position.step + 1, epoch: position.epoch + 1, ...round(losses) };
        run.history.push(stepRecord);
        options.onStep?.(stepRecord);
        const rate = learningRate! < options.learningRate ? `  lr ${learningRate!.toExponential(2)}` : "";
        return Promise.resolve({
          status: `epoch ${position.epoch + 1}/${options.epochs}  D ${losses.dLoss.toFixed(3)}  ` +
            `G ${losses.gLoss.toFixed(3)}${rate}`,
          losses: { "discriminator loss": losses.dLoss, "generator loss": losses.gLoss },
        });
      },
      async afterStep(position) {
        if (position.step % options.sampleRate === 0) await writeSampleGrid(position.step);
      },
      async endEpoch(position) {
        if (quality) measure(position);
        await writeFolderAtomically(
          paths.epochGenerator(position.epoch),
          (tmp) => saveModelFiles(sampler(), tmp),
          modelFolderOptions(log),
        );
      },
      checkpointParts: () => ({
        models: {
          [GAN_PARTS.generator]: nets.generator,
          [GAN_PARTS.discriminator]: nets.discriminator,
          ...(nets.average ? { [GAN_PARTS.average]: nets.average } : {}),
          ...(nets.projected ? { [GAN_PARTS.projected]: nets.projected.heads } : {}),
        },
        optimizers: {
          [GAN_PARTS.generatorAdam]: nets.generatorOptimizer,
          [GAN_PARTS.discriminatorAdam]: nets.discriminatorOptimizer,
        },
      }),
      taskState: () => ({}),
      afterCheckpoint: (position) => writeRunMetadata(options.runDir, withPosition(run, position, options)),
      async finish(position: Position) {
        if (position.step % options.sampleRate !== 0) await writeSampleGrid(position.step);
        const last = run.quality.at(-1);
        if (!options.independentJudge || !quality || last?.step !== position.step) return;
        const judge = await options.independentJudge();
        try {
          last.independent = await measureIndependent(judge, quality, pixels, sampler(), options);
        } finally {
          judge.dispose();
        }
        log(
          `dcgan: epoch ${position.epoch} independent judge: ${describeJudged(last.independent)}, ` +
            `${last.independent.seconds}s`,
        );
      },
      dispose() {
        disposeNetworks(nets);
        tf.dispose([grid.noise, grid.conditions].filter((t) => t !== undefined));
      },
    };
  };

  const fresh = newMetadata(options, stepsPerEpoch(set.movies.length, options.batchSize), grid);
  const { task, position } = await trainLoop({
    epochs: options.epochs,
    batchSize: options.batchSize,
    count: set.movies.length,
    seed: options.seed,
    runDir: options.runDir,
    lock,
    checkpointDir: paths.checkpoint,
    resume: options.resume,
    identity: resumeRecord(fresh),
    changeable: DCGAN_RESUMABLE_CHANGES,
    savedIdentity: async () => {
      const metadata = await readRunMetadata(options.runDir);
      if (!metadata) {
        throw new Error(
          `Nothing to resume in ${options.runDir}: its metadata.json is missing. Train without --resume.`,
        );
      }
      return resumeRecord(metadata);
    },
    checkpointEvery: options.checkpointEvery,
    signal: options.signal,
    progressPer: "run",
    progressLabel: `dcgan ${sizeName(shape)}`,
    progress: options.progress,
    runLabel: "DCGAN training",
  }, createTask);
  await task.finish(position);
  const run = withPosition(record!, position, options);
  run.finished = true;
  const grids = await runGrids(options.runDir);
  run.video = await writeTrainingVideo(paths.video, grids.map((g) => g.path));
  await writeRunMetadata(options.runDir, run);
  log(
    `dcgan: video ${run.video.animation}${
      run.video.mp4 ? ` and ${run.video.mp4}` : ` (${run.video.mp4Skipped})`
    }`,
  );
  task.dispose();
  return { metadata: run, grids };
}

/** The networks of a checkpoint, with fresh Adam optimizers holding its moments. */
async function restoredNetworks(
  saved: LoadedCheckpoint,
  options: DcganTrainOptions,
  maps: tf.LayersModel | undefined,
): Promise<GanNetworks> {
  // The resume check has matched --projected to the run's record; the heads come from its checkpoint.
  const heads = saved.models[GAN_PARTS.projected];
  if (maps && !heads) {
    throw new Error(
      `${options.runDir}'s checkpoint has no ${GAN_PARTS.projected}/: delete the run to start over.`,
    );
  }
  const generator = saved.models[GAN_PARTS.generator];
  const discriminator = saved.models[GAN_PARTS.discriminator];
  const average = saved.models[GAN_PARTS.average];
  const nets: GanNetworks = {
    ...(maps && heads ? { projected: { maps, heads } } : {}),
    generator,
    discriminator,
    generatorOptimizer: createAdam(options.learningRate, options.beta1, options.beta2),
    discriminatorOptimizer: createAdam(
      options.discriminatorLearningRate ?? options.learningRate,
      options.beta1,
      options.beta2,
    ),
    ...(average ? { average } : {}),
    // A growing run grows on from the layers its checkpoint holds, at the level it was saved at.
    ...((options.shape.growFrom ?? 0) > 0
      ? {
        growth: {
          level: builtLevel(generator),
          generator: layersOf(generator),
          discriminator: layersOf(discriminator),
          ...(average ? { average: layersOf(average) } : {}),
        },
      }
      : {}),
  };
  await nets.generatorOptimizer.setWeights(saved.optimizers[GAN_PARTS.generatorAdam]);
  await nets.discriminatorOptimizer.setWeights(saved.optimizers[GAN_PARTS.discriminatorAdam]);
  return nets;
}

function round(losses: Omit<StepRecord, "step" | "epoch">): Omit<StepRecord, "step" | "epoch"> {
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { dLoss: r(losses.dLoss), gLoss: r(losses.gLoss), dReal: r(losses.dReal), dFake: r(losses.dFake) };
}
