/**
 * The genre CNN as a task of the training loop (lib/training/loop.ts): seeded batches from the uint8
 * pixels (augmented when the recipe asks), one optimizer step each, validation at each epoch end, the
 * best epoch kept and early stopping. The loop does the rest (resume, checkpoints, Ctrl-C, progress).
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
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import { predictGenres, type Predictions } from "../evaluation/predict.ts";
import { augmentBatch } from "./augment.ts";
import { stepsPerEpoch } from "../training/batches.ts";
import { trainableVariables } from "../training/trainable.ts";
import { seededRandom } from "../util/random.ts";
import type { LoadedCheckpoint } from "../training/checkpoint.ts";
import type { RunLock } from "../training/run.ts";
import { NotFinite, type TrainingTask, trainLoop } from "../training/loop.ts";
import { formatEpoch, shouldStopEarly } from "./history.ts";
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
  /** The run folder's lock when the caller holds it (see lib/training/loop.ts `LoopOptions.lock`). */
  lock?: RunLock;
  /** Also checkpoint every this many steps (0: only at epoch ends). Default 100. */
  checkpointEveryBatches?: number;
  /** Stops training before the next step, after writing a checkpoint (e.g. on Ctrl-C). */
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

/** The checkpoint's tensor list of the best epoch's weights, kept once the model has moved on. */
const BEST_WEIGHTS = "best_weights";

/**
 * Config keys a resumed CNN run may change: train longer, stop earlier or later, or go on from the
 * last good checkpoint of a run that diverged with a lower learning rate.
 */
export const CNN_RESUMABLE_CHANGES: readonly string[] = [
  "model.epochs",
  "model.earlyStoppingPatience",
  "model.learningRate",
];

/** A copy of a model's weights, kept while later epochs train. */
async function copyWeights(model: tf.LayersModel): Promise<tf.Tensor[]> {
  // Real copies: the fused RMSprop writes variables in place.
  return await Promise.all(model.getWeights().map(async (w) => tf.tensor(await w.data(), w.shape, w.dtype)));
}

/** The genre CNN's own part of a checkpoint (the loop keeps the position). */
export interface GenreTaskState {
  history: EpochRecord[];
  /** The epoch with the lowest validation loss so far (1-based; 0 before the first epoch ends). */
  bestEpoch: number;
  /** Sum of batch losses × batch sizes, and images, of the epoch in progress. */
  epochLossSum: number;
  epochImages: number;
  /** The run's seconds of training steps when the epoch in progress began. */
  epochStartSeconds: number;
}

/**
 * Trains a genre CNN (built from `config`, or resumed from a checkpoint) on `train`, validating on
 * `validation` after each epoch: the genre CNN's task in the training loop (lib/training/loop.ts).
 */
export async function fitGenreModel(
  train: GenreData,
  validation: GenreData,
  config: ModelConfig,
  options: FitOptions = {},
): Promise<FitResult> {
  const log = options.log ?? createLog();
  const showProgress = options.progress ?? true;
  const [count, height, width] = train.shape;
  if (count === 0) {
    throw new Error("The training split is empty: check --min-year/--max-year and the data folder.");
  }
  const lossOf = lossFunction(config.loss);
  const steps = stepsPerEpoch(count, config.batchSize);
  const { optimizer, beforeStep } = createOptimizer(config, config.epochs * steps, steps);
  const heads = regressionHeads(options.regression);
  let model: tf.LayersModel | undefined;
  // A copy of the best epoch's weights, and its validation predictions while they are in memory.
  let best: { weights?: tf.Tensor[]; validation?: Predictions } = {};
  let state: GenreTaskState = {
    history: [],
    bestEpoch: 0,
    epochLossSum: 0,
    epochImages: 0,
    epochStartSeconds: 0,
  };

  const task = (saved: LoadedCheckpoint | undefined): TrainingTask<GenreTaskState> => {
    if (saved) {
      model = saved.models.model;
      state = saved.state.task as GenreTaskState;
      best = { weights: saved.tensors[BEST_WEIGHTS] };
    }
    const net = model ??= withRegressionHeads(
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
    const variables = trainableVariables(net);
    return {
      setLearningRate: beforeStep,
      async step({ indices, position, seed }) {
        // Seeded per step, so a resumed run draws the same augmentations.
        const images = config.augment
          ? augmentBatch(train, indices, config.augment, seededRandom(seed))
          : train.images(indices);
        const labels = train.labelTensor(indices);
        const cost = optimizer.minimize(
          () =>
            totalLoss(
              lossOf,
              labels,
              net.apply(images, { training: true }) as tf.Tensor | tf.Tensor[],
              Array.from(indices, (i) => train.movies[i]),
              options.regression,
              config.headWeight,
            ),
          true,
          variables,
        )!;
        const loss = (await cost.data())[0];
        tf.dispose([images, labels, cost]);
        if (!Number.isFinite(loss)) throw new NotFinite(`the loss is ${loss}`);
        state.epochLossSum += loss * indices.length;
        state.epochImages += indices.length;
        options.onBatch?.({
          epoch: position.epoch + 1,
          batch: position.batchInEpoch + 1,
          batches: steps,
          loss,
        });
        return { status: `loss ${(state.epochLossSum / state.epochImages).toFixed(4)}` };
      },
      async endEpoch(position) {
        const lastValidation = await predictGenres(net, validation, {
          batchSize: 64,
          loss: lossOf,
          label: showProgress ? "validation" : undefined,
        });
        const bad = lastValidation.probabilities.filter((p) => !Number.isFinite(p)).length;
        if (bad > 0) {
          throw new NotFinite(
            `${bad} of ${lastValidation.probabilities.length} validation outputs are not finite`,
          );
        }
        const metrics = multiLabelMetrics(
          lastValidation.probabilities,
          validation.labels,
          validation.genres,
          0.5,
        );
        const trainSeconds = position.trainSeconds - state.epochStartSeconds;
        const record: EpochRecord = {
          epoch: position.epoch,
          loss: state.epochLossSum / state.epochImages,
          validationLoss: lastValidation.loss,
          validationMeanAveragePrecision: metrics.meanAveragePrecision,
          validationOriginalAccuracy: metrics.originalAccuracy,
          trainSeconds,
          imagesPerSecond: state.epochImages / trainSeconds,
          ...(heads.length
            ? { validationMae: validationErrors(validation, lastValidation, options.regression!) }
            : {}),
        };
        state = {
          ...state,
          history: [...state.history, record],
          epochLossSum: 0,
          epochImages: 0,
          epochStartSeconds: position.trainSeconds,
        };
        if (bestEpoch(state.history)?.epoch === record.epoch) {
          tf.dispose(best.weights ?? []);
          best = { weights: await copyWeights(net), validation: lastValidation };
          state.bestEpoch = record.epoch;
        }
        log(formatEpoch(record, config.epochs));
        options.onEpoch?.(record, state.history);
        if (position.epoch < config.epochs && shouldStopEarly(state.history, config.earlyStoppingPatience)) {
          log(`early stopping: no better validation loss for ${config.earlyStoppingPatience} epochs`);
        }
      },
      stopsEarly: () => shouldStopEarly(state.history, config.earlyStoppingPatience),
      checkpointParts: (position) => ({
        models: { model: net },
        optimizers: { optimizer },
        // The best weights are written only when the model has moved on from them.
        tensors: {
          [BEST_WEIGHTS]: state.bestEpoch === position.epoch && position.batchInEpoch === 0
            ? undefined
            : best.weights,
        },
      }),
      taskState: () => state,
      dispose() {
        optimizer.dispose();
        tf.dispose(best.weights ?? []);
        net.dispose();
      },
    };
  };

  const { position, stoppedEarly } = await trainLoop({
    epochs: config.epochs,
    batchSize: config.batchSize,
    count,
    seed: config.seed,
    checkpointDir: options.checkpointDir,
    runDir: options.runDir ?? (options.checkpointDir && dirname(options.checkpointDir)),
    lock: options.lock,
    resume: options.resume,
    identity: { dataset: train.config, model: config },
    changeable: CNN_RESUMABLE_CHANGES,
    checkpointEvery: options.checkpointEveryBatches ?? DEFAULT_CHECKPOINT_EVERY_BATCHES,
    signal: options.signal,
    progress: showProgress,
    log,
  }, async (saved) => {
    const built = task(saved);
    if (saved) {
      await optimizer.setWeights(saved.optimizers.optimizer);
      tf.dispose(saved.optimizers.optimizer.map((w) => w.tensor));
      if (state.bestEpoch > 0 && !best.weights) best.weights = await copyWeights(model!);
    }
    return built;
  });
  optimizer.dispose();
  const net = model!;

  // Back to the best epoch (Keras's restore_best_weights); the history keeps every epoch.
  let bestValidation = best.validation;
  if (state.bestEpoch !== position.epoch && best.weights) {
    net.setWeights(best.weights);
    log(`best epoch: ${state.bestEpoch} of ${position.epoch} (lowest validation loss), its weights are kept`);
  }
  tf.dispose(best.weights ?? []);
  // A resumed run may not hold the best epoch's predictions in memory.
  bestValidation ??= await predictGenres(net, validation, { loss: lossOf });
  const imagesSeen = state.history.reduce((sum, r) => sum + r.imagesPerSecond * r.trainSeconds, 0);
  return {
    model: net,
    history: state.history,
    bestEpoch: state.bestEpoch,
    stoppedEarly,
    trainSeconds: position.trainSeconds,
    imagesPerSecond: position.trainSeconds > 0 ? imagesSeen / position.trainSeconds : 0,
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
