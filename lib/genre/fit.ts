/**
 * The training loop of the genre CNN: seeded batches from the uint8 pixels, RMSprop steps, progress
 * per batch, validation each epoch, checkpoints, resume and early stopping. Stopping, resuming and the
 * config check on resume follow lib/training/run.ts, as the DCGAN's loop does.
 *
 * The model returned is the epoch with the lowest validation loss (Keras's `restore_best_weights`),
 * with its validation predictions; the history keeps every epoch.
 *
 * A custom loop rather than `model.fit`, because it must resume in the middle of an epoch, convert
 * uint8 batches on the fly instead of holding the split as float32, and report per batch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname } from "node:path";
import { DEFAULT_CHECKPOINT_EVERY_BATCHES, type ModelConfig, type RegressionTarget } from "../config.ts";
import type { GenreData } from "../dataset/types.ts";
import { buildGenreCnn } from "../models/cnn.ts";
import { Progress } from "../util/progress.ts";
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import { predictGenres, type Predictions } from "../evaluation/predict.ts";
import { augmentBatch } from "./augment.ts";
import { batchCount, batchIndices, epochOrder } from "../training/batches.ts";
import { seededRandom } from "../util/random.ts";
import { type CheckpointState, loadCheckpoint, saveCheckpoint } from "../training/checkpoint.ts";
import { formatEpoch, shouldStopEarly } from "./history.ts";
import { checkResumable, checkResumePolicy, TrainingInterrupted } from "../training/run.ts";
import { bestEpoch, type EpochRecord } from "../models/metadata.ts";
import { lossFunction } from "../models/losses.ts";
import { meanAbsoluteError, totalLoss, withRegressionHeads } from "../models/regression_heads.ts";
import { regressionHeads, type RegressionScalings, unscale } from "../models/targets.ts";
import { createOptimizer } from "./optimizer.ts";
import { createLog } from "../util/log.ts";

/** Options of {@linkcode fitGenreModel}. */
export interface FitOptions {
  /** Folder of this run's checkpoint; no checkpoints when undefined. */
  checkpointDir?: string;
  /**
   * Continue from the checkpoint in `checkpointDir`: an error when there is none; without it, an
   * existing checkpoint is an error (see lib/training/run.ts).
   */
  resume?: boolean;
  /** The run's folder, named in messages (default: the parent of `checkpointDir`). */
  runDir?: string;
  /** Also checkpoint every this many batches inside an epoch (0: only at epoch ends). Default 100. */
  checkpointEveryBatches?: number;
  /** Stops training at the next batch boundary, after writing a checkpoint (e.g. on Ctrl-C). */
  signal?: AbortSignal;
  /** Called after every training step. */
  onBatch?: (step: { epoch: number; batch: number; batches: number; loss: number }) => void;
  /** Called after every epoch with its record and the history so far (e.g. to redraw curves). */
  onEpoch?: (record: EpochRecord, history: readonly EpochRecord[]) => void;
  /** Where epoch lines and notes go; default stderr. */
  log?: (line: string) => void;
  /** Show progress bars (default true). */
  progress?: boolean;
  /** Train regression heads for these targets, standardised with these training-split scalings. */
  regression?: RegressionScalings;
}

/** What {@linkcode fitGenreModel} returns. */
export interface FitResult {
  /** The model at its best epoch (lowest validation loss). */
  model: tf.LayersModel;
  /** Every epoch trained, the best one and those after it. */
  history: EpochRecord[];
  /** The epoch whose weights `model` holds (1-based). */
  bestEpoch: number;
  /** Early stopping ended the run before `config.epochs`. */
  stoppedEarly: boolean;
  /** Seconds of training steps over the whole run (resumed parts included). */
  trainSeconds: number;
  /** Training images per second over the whole run. */
  imagesPerSecond: number;
  /** Predictions of the returned model (the best epoch) on the validation split. */
  validation: Predictions;
}

/** Config keys a resumed CNN run may change: train longer, or stop earlier or later. */
export const CNN_RESUMABLE_CHANGES: readonly string[] = ["model.epochs", "model.earlyStoppingPatience"];

/** A copy of a model's weights, kept while later epochs train. */
async function copyWeights(model: tf.LayersModel): Promise<tf.Tensor[]> {
  // Real copies: the fused RMSprop writes variables in place.
  return await Promise.all(model.getWeights().map(async (w) => tf.tensor(await w.data(), w.shape, w.dtype)));
}

function freshState(train: GenreData, config: ModelConfig): CheckpointState {
  return {
    dataset: train.config,
    model: config,
    epochsDone: 0,
    batchesDone: 0,
    epochLossSum: 0,
    epochImages: 0,
    epochTrainSeconds: 0,
    trainSeconds: 0,
    history: [],
    bestEpoch: 0,
    savedAt: "",
  };
}

/**
 * Trains a genre CNN (built from `config`, or resumed from a checkpoint) on `train`, validating on
 * `validation` after each epoch.
 */
export async function fitGenreModel(
  train: GenreData,
  validation: GenreData,
  config: ModelConfig,
  options: FitOptions = {},
): Promise<FitResult> {
  const log = options.log ?? createLog();
  const showProgress = options.progress ?? true;
  const checkpointEvery = options.checkpointEveryBatches ?? DEFAULT_CHECKPOINT_EVERY_BATCHES;
  const [count, height, width] = train.shape;
  if (count === 0) {
    throw new Error("The training split is empty: check --min-year/--max-year and the data folder.");
  }
  const lossOf = lossFunction(config.loss);
  const stepsPerEpoch = batchCount(count, config.batchSize);
  const { optimizer, beforeStep } = createOptimizer(config, config.epochs * stepsPerEpoch, stepsPerEpoch);

  let resumed: tf.LayersModel | undefined;
  let state = freshState(train, config);
  // A copy of the best epoch's weights, and its validation predictions while they are in memory.
  let best: { weights?: tf.Tensor[]; validation?: Predictions } = {};
  if (options.resume && !options.checkpointDir) {
    throw new Error("resume needs a checkpoint folder (checkpointDir) to continue from.");
  }
  if (options.checkpointDir) {
    const runDir = options.runDir ?? dirname(options.checkpointDir);
    await checkResumePolicy(runDir, options.checkpointDir, options.resume ?? false);
    if (options.resume) {
      const checkpoint = (await loadCheckpoint(options.checkpointDir))!;
      try {
        checkResumable(
          runDir,
          { dataset: checkpoint.state.dataset, model: checkpoint.state.model },
          { dataset: train.config, model: config },
          CNN_RESUMABLE_CHANGES,
        );
      } catch (error) {
        checkpoint.model.dispose();
        tf.dispose([...checkpoint.optimizerWeights.map((w) => w.tensor), ...(checkpoint.bestWeights ?? [])]);
        throw error;
      }
      resumed = checkpoint.model;
      await optimizer.setWeights(checkpoint.optimizerWeights);
      tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
      best = { weights: checkpoint.bestWeights };
      state = { ...checkpoint.state, model: config };
      const where = state.batchesDone > 0
        ? `in epoch ${state.epochsDone + 1} after batch ${state.batchesDone}`
        : `after epoch ${state.epochsDone}`;
      log(`resume: continuing ${where} (${options.checkpointDir})`);
    }
  }
  const heads = regressionHeads(options.regression);
  const model = resumed ?? withRegressionHeads(
    buildGenreCnn({
      height,
      width,
      genres: train.genres.length,
      version: config.version,
      seed: config.seed,
      dropout: config.dropout,
    }),
    heads,
    config.seed,
  );
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (resumed && state.bestEpoch > 0 && !best.weights) best.weights = await copyWeights(model);

  const checkpoint = async () => {
    if (!options.checkpointDir) return;
    state.savedAt = new Date().toISOString();
    // The best weights are written only when the model has moved on from them.
    const modelIsBest = state.bestEpoch === state.epochsDone && state.batchesDone === 0;
    await saveCheckpoint(
      options.checkpointDir,
      model,
      optimizer,
      state,
      modelIsBest ? undefined : best.weights,
    );
  };

  let stoppedEarly = state.epochsDone < config.epochs &&
    shouldStopEarly(state.history, config.earlyStoppingPatience);
  for (let epoch = state.epochsDone; epoch < config.epochs && !stoppedEarly; epoch++) {
    const order = epochOrder(count, config.seed, epoch);
    const batches = stepsPerEpoch;
    const label = `epoch ${epoch + 1}/${config.epochs}${state.batchesDone > 0 ? " (resumed)" : ""}`;
    const progress = showProgress
      ? new Progress(label, count - state.epochImages, { unit: "images" })
      : undefined;
    for (let b = state.batchesDone; b < batches; b++) {
      // A macrotask turn, so signal listeners (Ctrl-C) can run: on wasm every await in a step resolves
      // as a microtask, and without this the loop never lets them fire.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) {
        await checkpoint();
        optimizer.dispose();
        tf.dispose(best.weights ?? []);
        model.dispose();
        throw new TrainingInterrupted(
          `Training stopped in epoch ${epoch + 1} after batch ${b}` +
            (options.checkpointDir ? `; checkpoint in ${options.checkpointDir}: rerun with --resume` : ""),
          options.checkpointDir,
        );
      }
      const indices = batchIndices(order, config.batchSize, b);
      const started = performance.now();
      beforeStep(epoch * batches + b);
      // Seeded per batch, so a resumed run draws the same augmentations.
      const images = config.augment
        ? augmentBatch(train, indices, config.augment, seededRandom((config.seed * 7919 + epoch) * 65537 + b))
        : train.images(indices);
      const labels = train.labelTensor(indices);
      const cost = optimizer.minimize(
        () =>
          totalLoss(
            lossOf,
            labels,
            model.apply(images, { training: true }) as tf.Tensor | tf.Tensor[],
            Array.from(indices, (i) => train.movies[i]),
            options.regression,
          ),
        true,
        variables,
      )!;
      const loss = (await cost.data())[0];
      tf.dispose([images, labels, cost]);
      if (!Number.isFinite(loss)) {
        throw new Error(
          `Loss became ${loss} in epoch ${epoch + 1}, batch ${b + 1}: lower the learning rate.`,
        );
      }
      const seconds = (performance.now() - started) / 1000;
      state.batchesDone = b + 1;
      state.epochLossSum += loss * indices.length;
      state.epochImages += indices.length;
      state.epochTrainSeconds += seconds;
      state.trainSeconds += seconds;
      progress?.tick(indices.length, `loss ${(state.epochLossSum / state.epochImages).toFixed(4)}`);
      options.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches, loss });
      if (checkpointEvery > 0 && (b + 1) % checkpointEvery === 0 && b + 1 < batches) await checkpoint();
    }
    progress?.finish();

    const lastValidation = await predictGenres(model, validation, {
      batchSize: 64,
      loss: lossOf,
      label: showProgress ? "validation" : undefined,
    });
    const metrics = multiLabelMetrics(
      lastValidation.probabilities,
      validation.labels,
      validation.genres,
      0.5,
    );
    const record: EpochRecord = {
      epoch: epoch + 1,
      loss: state.epochLossSum / state.epochImages,
      validationLoss: lastValidation.loss,
      validationMeanAveragePrecision: metrics.meanAveragePrecision,
      validationOriginalAccuracy: metrics.originalAccuracy,
      trainSeconds: state.epochTrainSeconds,
      imagesPerSecond: state.epochImages / state.epochTrainSeconds,
      ...(heads.length
        ? { validationMae: validationErrors(validation, lastValidation, options.regression!) }
        : {}),
    };
    state = { ...state, history: [...state.history, record], epochsDone: epoch + 1, batchesDone: 0 };
    const improved = bestEpoch(state.history)?.epoch === record.epoch;
    if (improved) {
      tf.dispose(best.weights ?? []);
      best = { weights: await copyWeights(model), validation: lastValidation };
      state.bestEpoch = epoch + 1;
    }
    state.epochLossSum = state.epochImages = state.epochTrainSeconds = 0;
    log(formatEpoch(record, config.epochs));
    options.onEpoch?.(record, state.history);
    await checkpoint();
    stoppedEarly = epoch + 1 < config.epochs && shouldStopEarly(state.history, config.earlyStoppingPatience);
    if (stoppedEarly) {
      log(`early stopping: no better validation loss for ${config.earlyStoppingPatience} epochs`);
    }
  }
  optimizer.dispose();

  // Back to the best epoch (Keras's restore_best_weights); the history keeps every epoch.
  let bestValidation = best.validation;
  if (state.bestEpoch !== state.epochsDone && best.weights) {
    model.setWeights(best.weights);
    log(
      `best epoch: ${state.bestEpoch} of ${state.epochsDone} (lowest validation loss), its weights are kept`,
    );
  }
  tf.dispose(best.weights ?? []);
  // A resumed run may not hold the best epoch's predictions in memory.
  bestValidation ??= await predictGenres(model, validation, { loss: lossOf });
  const imagesSeen = state.history.reduce((sum, r) => sum + r.imagesPerSecond * r.trainSeconds, 0);
  return {
    model,
    history: state.history,
    bestEpoch: state.bestEpoch,
    stoppedEarly,
    trainSeconds: state.trainSeconds,
    imagesPerSecond: state.trainSeconds > 0 ? imagesSeen / state.trainSeconds : 0,
    validation: bestValidation,
  };
}

/** Mean absolute error of each head on a split, in the target's units. */
function validationErrors(
  data: GenreData,
  predictions: Predictions,
  scalings: RegressionScalings,
): Partial<Record<RegressionTarget, number>> {
  const errors: Partial<Record<RegressionTarget, number>> = {};
  regressionHeads(scalings).forEach((target, k) => {
    const estimates = predictions.heads[k].map((value) => unscale(scalings[target]!, value));
    errors[target] = meanAbsoluteError(data.movies, target, estimates).mae;
  });
  return errors;
}
