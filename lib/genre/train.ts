/**
 * `trainGenreModel`: config → data → fitted model → saved model folder, the whole of `deno task train`
 * and of the training notebook.
 *
 * ```ts
 * import { initBackend } from "../backend/mod.ts";
 * import { DEFAULT_DATASET, DEFAULT_MODEL } from "../config.ts";
 * import { trainGenreModel } from "./train.ts";
 * await initBackend("wasm");
 * const { dir, metadata } = await trainGenreModel({ ...DEFAULT_DATASET }, { ...DEFAULT_MODEL, epochs: 2 });
 * console.log(dir, metadata.bestEpoch);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  checkModelConfig,
  type DatasetConfig,
  imageSize,
  type ModelConfig,
  SAVED_MODELS_DIR,
} from "../config.ts";
import { loadGenreData } from "../dataset/load.ts";
import type { GenreData } from "../dataset/types.ts";
import { chooseThreshold, frequencyBaseline, genreFrequencies } from "../evaluation/metrics.ts";
import {
  readMetadata,
  savedModelDir,
  type SavedModelMetadata,
  savedModelName,
  saveGenreModel,
} from "../models/saved.ts";
import { scalingsFor } from "../models/targets.ts";
import { removeCheckpoint } from "../training/checkpoint.ts";
import { fitGenreModel, type FitOptions } from "./fit.ts";
import { trainFeatureBranch } from "./feature_branch.ts";
import { describeModelConfig } from "./describe.ts";
import { createLog, type Log } from "../util/log.ts";
import { formatDuration } from "../util/progress.ts";
import { checkpointFolder, folderNameProblem, lockRun, runFolder, type RunLock } from "../training/run.ts";
import { pathExists } from "../util/files.ts";
import type { Predictions } from "../evaluation/predict.ts";

/** Options of {@linkcode trainGenreModel}. */
export interface TrainOptions extends Omit<FitOptions, "checkpointDir" | "runDir" | "lock"> {
  /** Where the finished model folder goes (default `saved_models`). */
  savedModelsDir?: string;
  /** Where runs go (default `runs`): the checkpoint is in `<runsDir>/cnn/<model name>/checkpoint/`. */
  runsDir?: string;
  /**
   * The saved model's folder name instead of {@linkcode savedModelName}'s (a plain name, no path); the
   * run folder then has this name too.
   */
  name?: string;
  /** Replace a saved model of the same name; without it such a model is refused before training. */
  force?: boolean;
}

/** Thrown before training when the model would replace a saved one and `force` is not set. */
export class SavedModelExistsError extends Error {
  override name = "SavedModelExistsError";
}

/** A trained and saved model. */
export interface TrainResult {
  /** The saved model's folder. */
  dir: string;
  metadata: SavedModelMetadata;
  /** The trained CNN at its best epoch, still in memory (the caller disposes it). */
  model: tf.LayersModel;
  /** The model's predictions on the validation split, blended with its branch's (what the threshold was chosen on). */
  validation: Predictions;
}

/**
 * The name of a CNN run's folder: the saved model's name without `_e<epochs>`, because a resume may
 * change the epochs (`genres7_ratio30_v1_1977-2017_bce`).
 */
export function cnnRunName(dataset: DatasetConfig, config: ModelConfig): string {
  return savedModelName(dataset, config).replace(`_e${config.epochs}_`, "_");
}

/**
 * The saved model's name of a run (`options.name`, else {@linkcode savedModelName}) and its run folder
 * (`runs/cnn/<options.name>`, else {@linkcode cnnRunName}'s); a name that is not a plain folder name
 * throws.
 */
export function cnnRunPaths(
  dataset: DatasetConfig,
  config: ModelConfig,
  options: Pick<TrainOptions, "name" | "runsDir" | "savedModelsDir"> = {},
): { name: string; modelDir: string; runDir: string } {
  if (options.name !== undefined) {
    const problem = folderNameProblem(options.name);
    if (problem) throw new Error(`Model name "${options.name}" ${problem}.`);
  }
  const name = options.name ?? savedModelName(dataset, config);
  return {
    name,
    modelDir: savedModelDir(name, options.savedModelsDir ?? SAVED_MODELS_DIR),
    runDir: runFolder("cnn", options.name ?? cnnRunName(dataset, config), options.runsDir),
  };
}

/**
 * Throws a {@linkcode SavedModelExistsError} when `modelDir` holds a saved model and `force` is not set:
 * the message names the folder, when it was trained and evaluated, and the ways out (--force, --name).
 */
export async function refuseToReplace(modelDir: string, force = false, log?: Log): Promise<void> {
  if (!(await pathExists(modelDir))) return;
  if (force) {
    log?.(`--force: ${modelDir} is replaced once this run saves its model`);
    return;
  }
  const metadata = await readMetadata(modelDir).catch(() => undefined);
  const when = metadata
    ? ` (trained ${metadata.savedAt.slice(0, 10)}${
      metadata.test ? `, evaluated ${metadata.test.evaluatedAt.slice(0, 10)}` : ", not evaluated"
    })`
    : "";
  throw new SavedModelExistsError(
    `${modelDir} already holds a saved model${when}: add --force to replace it, or --name NAME to save ` +
      `this one under another name (or delete ${modelDir}).`,
  );
}

/** Loads the training and validation splits of `dataset`, trains, and saves the model. */
export async function trainGenreModel(
  dataset: DatasetConfig,
  config: ModelConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkModelConfig(config); // before the minutes of loading
  if (!options.force) await refuseToReplace(cnnRunPaths(dataset, config, options).modelDir);
  const log = options.log ?? createLog();
  const loadOptions = { progress: options.progress };
  const train = await loadGenreData(dataset, "train", loadOptions);
  const validation = await loadGenreData(dataset, "validation", loadOptions);
  const { width, height } = imageSize(dataset.ratio);
  log(
    `data: ${train.movies.length} training and ${validation.movies.length} validation posters, ${width}x${height}`,
  );
  return await trainOnSplits(train, validation, config, { ...options, log });
}

/** Trains on already loaded splits and saves the model (what {@linkcode trainGenreModel} does after loading). */
export async function trainOnSplits(
  train: GenreData,
  validation: GenreData,
  config: ModelConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const started = performance.now();
  const { name, modelDir, runDir } = cnnRunPaths(train.config, config, options);
  const checkpointDir = checkpointFolder(runDir);
  const log = options.log ?? createLog();
  // One process per run folder, from the check of the saved model to the removal of the run folder.
  const lock = await lockRun(runDir, log);
  try {
    await refuseToReplace(modelDir, options.force, log);
    return await trainLocked(train, validation, config, { ...options, log, lock }, {
      name,
      runDir,
      checkpointDir,
      started,
    });
  } finally {
    await lock.release();
  }
}

/** What {@linkcode trainOnSplits} does once it holds the run folder's lock. */
async function trainLocked(
  train: GenreData,
  validation: GenreData,
  config: ModelConfig,
  options: TrainOptions & { log: Log; lock: RunLock },
  { name, runDir, checkpointDir, started }: {
    name: string;
    runDir: string;
    checkpointDir: string;
    started: number;
  },
): Promise<TrainResult> {
  const { log } = options;
  log(
    `model ${name}: ${describeModelConfig(config)}, ` +
      `${config.epochs} epochs${
        config.earlyStoppingPatience ? `, patience ${config.earlyStoppingPatience}` : ""
      }`,
  );
  const regression = config.targets?.length ? scalingsFor(train.movies, config.targets) : undefined;
  const fit = await fitGenreModel(train, validation, config, {
    ...options,
    log,
    checkpointDir,
    runDir,
    regression,
  });

  // The pretrained branch trains on the CNN's finished outputs; the model answers with their blend.
  const branch = config.featureBranch
    ? await trainFeatureBranch(train, validation, fit.validation, config.featureBranch, {
      regression,
      seed: config.seed,
      log,
      progress: options.progress,
    })
    : undefined;
  const validationPredictions = branch ? { ...fit.validation, ...branch.validation } : fit.validation;
  const genres = train.genres.length;
  const frequencies = genreFrequencies(train.labels, genres);
  const metadata: SavedModelMetadata = {
    name,
    savedAt: new Date().toISOString(),
    dataset: train.config,
    model: config,
    imageSize: { width: train.shape[2], height: train.shape[1] },
    genres: train.genres,
    splitCounts: { train: train.movies.length, validation: validation.movies.length },
    trainGenreFrequencies: frequencies,
    threshold: chooseThreshold(validationPredictions.probabilities, validation.labels, genres),
    baselineThreshold: chooseThreshold(
      frequencyBaseline(frequencies, validation.movies.length),
      validation.labels,
      genres,
    ),
    backend: tf.getBackend(),
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    ...(regression ? { regression } : {}),
    ...(branch ? { blend: branch.blend } : {}),
    timings: {
      trainSeconds: fit.trainSeconds,
      imagesPerSecond: fit.imagesPerSecond,
      totalSeconds: (performance.now() - started) / 1000,
    },
  };
  const dir = await saveGenreModel(
    fit.model,
    metadata,
    options.savedModelsDir ?? SAVED_MODELS_DIR,
    undefined,
    branch?.head,
  );
  branch?.head.dispose();
  await removeCheckpoint(runDir);
  return { dir, metadata, model: fit.model, validation: validationPredictions };
}

/**
 * What `deno task train` (and the main job) prints once a model is saved: its folder and the backend,
 * its training curves (`curves`, the PNG's path), how long it trained, its threshold and how to
 * evaluate it.
 */
export function trainingSummaryLines(
  { dir, metadata }: Pick<TrainResult, "dir" | "metadata">,
  backend: string,
  curves: string,
): string[] {
  const { timings } = metadata;
  return [
    `saved ${dir} (backend ${backend})`,
    `  training curves: ${curves}`,
    `  ${metadata.splitCounts.train} training posters, ${metadata.history.length} epochs, ` +
    `${formatDuration(timings.trainSeconds)} of training steps, ${
      timings.imagesPerSecond.toFixed(1)
    } images/s`,
    `  validation threshold ${metadata.threshold}; evaluate: deno task evaluate --model ${metadata.name}`,
  ];
}
