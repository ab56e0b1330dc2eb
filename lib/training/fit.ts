/**
 * The training loop of the genre CNN: seeded batches from the uint8 pixels, RMSprop steps, progress
 * per batch, validation each epoch, checkpoints, resume and early stopping.
 *
 * A custom loop rather than `model.fit`, because it must resume in the middle of an epoch, convert
 * uint8 batches on the fly instead of holding the split as float32, and report per batch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../config.ts";
import type { GenreData } from "../dataset/types.ts";
import { buildGenreCnn } from "../models/cnn.ts";
import { Progress } from "../util/progress.ts";
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import { predictGenres, type Predictions } from "../evaluation/predict.ts";
import { batchCount, batchIndices, epochOrder } from "./batches.ts";
import { type CheckpointState, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { formatEpoch, shouldStopEarly } from "./history.ts";
import type { EpochRecord } from "../models/metadata.ts";
import { lossFunction } from "../models/losses.ts";
import { createRmsprop } from "./rmsprop.ts";

/** Options of {@linkcode fitGenreModel}. */
export interface FitOptions {
  /** Folder of this run's checkpoint; no checkpoints when undefined. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one. */
  resume?: boolean;
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
}

/** What {@linkcode fitGenreModel} returns. */
export interface FitResult {
  model: tf.LayersModel;
  history: EpochRecord[];
  /** Early stopping ended the run before `config.epochs`. */
  stoppedEarly: boolean;
  /** Seconds of training steps over the whole run (resumed parts included). */
  trainSeconds: number;
  /** Training images per second over the whole run. */
  imagesPerSecond: number;
  /** Predictions of the final model on the validation split. */
  validation: Predictions;
}

/** Thrown when `signal` stops a run; the checkpoint it names holds the progress. */
export class TrainingInterrupted extends Error {
  override name = "TrainingInterrupted";
}

function sameRun(a: CheckpointState, train: GenreData, config: ModelConfig): string | undefined {
  const { epochs: _a, earlyStoppingPatience: _b, ...checkpointModel } = a.model;
  const { epochs: _c, earlyStoppingPatience: _d, ...wantedModel } = config;
  if (JSON.stringify(a.dataset) !== JSON.stringify(train.config)) return "its dataset config differs";
  if (JSON.stringify(checkpointModel) !== JSON.stringify(wantedModel)) return "its model config differs";
  return undefined;
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
  const log = options.log ?? ((line: string) => console.error(line));
  const showProgress = options.progress ?? true;
  const checkpointEvery = options.checkpointEveryBatches ?? 100;
  const [count, height, width] = train.shape;
  if (count === 0) {
    throw new Error("The training split is empty: check --min-year/--max-year and the data folder.");
  }
  const lossOf = lossFunction(config.loss);
  const optimizer = createRmsprop(config.learningRate);

  let resumed: tf.LayersModel | undefined;
  let state = freshState(train, config);
  if (options.resume && options.checkpointDir) {
    const checkpoint = await loadCheckpoint(options.checkpointDir);
    const mismatch = checkpoint && sameRun(checkpoint.state, train, config);
    if (!checkpoint) {
      log(`resume: no checkpoint in ${options.checkpointDir}, starting from scratch`);
    } else if (mismatch) {
      checkpoint.model.dispose();
      throw new Error(
        `Cannot resume from ${options.checkpointDir}: ${mismatch}. Use the same flags as the interrupted run, ` +
          `or drop --resume to start over.`,
      );
    } else {
      resumed = checkpoint.model;
      await optimizer.setWeights(checkpoint.optimizerWeights);
      tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
      state = { ...checkpoint.state, model: config };
      const where = state.batchesDone > 0
        ? `in epoch ${state.epochsDone + 1} after batch ${state.batchesDone}`
        : `after epoch ${state.epochsDone}`;
      log(`resume: continuing ${where} (${options.checkpointDir})`);
    }
  }
  const model = resumed ??
    buildGenreCnn({ height, width, genres: train.genres.length, version: config.version, seed: config.seed });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

  const checkpoint = async () => {
    if (!options.checkpointDir) return;
    state.savedAt = new Date().toISOString();
    await saveCheckpoint(options.checkpointDir, model, optimizer, state);
  };

  let lastValidation: Predictions | undefined;
  let stoppedEarly = state.epochsDone < config.epochs &&
    shouldStopEarly(state.history, config.earlyStoppingPatience);
  for (let epoch = state.epochsDone; epoch < config.epochs && !stoppedEarly; epoch++) {
    const order = epochOrder(count, config.seed, epoch);
    const batches = batchCount(count, config.batchSize);
    const label = `epoch ${epoch + 1}/${config.epochs}${state.batchesDone > 0 ? " (resumed)" : ""}`;
    const progress = showProgress
      ? new Progress(label, count - state.epochImages, { unit: "images" })
      : undefined;
    for (let b = state.batchesDone; b < batches; b++) {
      if (options.signal?.aborted) {
        await checkpoint();
        throw new TrainingInterrupted(
          `Training stopped in epoch ${epoch + 1} after batch ${b}` +
            (options.checkpointDir ? `; checkpoint in ${options.checkpointDir}: rerun with --resume` : ""),
        );
      }
      const indices = batchIndices(order, config.batchSize, b);
      const started = performance.now();
      const images = train.images(indices);
      const labels = train.labelTensor(indices);
      const cost = optimizer.minimize(
        () => lossOf(labels, model.apply(images, { training: true }) as tf.Tensor),
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

    lastValidation = await predictGenres(model, validation, {
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
    };
    state = { ...state, history: [...state.history, record], epochsDone: epoch + 1, batchesDone: 0 };
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

  // A run resumed after its last epoch has no fresh validation predictions yet.
  lastValidation ??= await predictGenres(model, validation, { loss: lossOf });
  const imagesSeen = state.history.reduce((sum, r) => sum + r.imagesPerSecond * r.trainSeconds, 0);
  return {
    model,
    history: state.history,
    stoppedEarly,
    trainSeconds: state.trainSeconds,
    imagesPerSecond: state.trainSeconds > 0 ? imagesSeen / state.trainSeconds : 0,
    validation: lastValidation,
  };
}
