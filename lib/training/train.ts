/**
 * `trainGenreModel`: config → data → fitted model → saved model folder, the whole of `deno task train`
 * and of the training notebook.
 *
 * ```ts
 * await initBackend("wasm");
 * const { dir, metadata } = await trainGenreModel({ ...DEFAULT_DATASET }, { ...DEFAULT_MODEL, epochs: 2 });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type DatasetConfig, imageSize, type ModelConfig, SAVED_MODELS_DIR } from "../config.ts";
import { loadGenreData } from "../dataset/load.ts";
import type { GenreData } from "../dataset/types.ts";
import { chooseThreshold, frequencyBaseline, genreFrequencies } from "../evaluation/metrics.ts";
import { type SavedModelMetadata, savedModelName, saveGenreModel } from "../models/saved.ts";
import { CHECKPOINTS_DIR, removeCheckpoint } from "./checkpoint.ts";
import { fitGenreModel, type FitOptions } from "./fit.ts";
import { describeModelConfig } from "./describe.ts";

/** Options of {@linkcode trainGenreModel}. */
export interface TrainOptions extends Omit<FitOptions, "checkpointDir"> {
  /** Where the finished model folder goes (default `saved_models`). */
  savedModelsDir?: string;
  /** Where the run's checkpoint folder goes (default `runs/checkpoints`). */
  checkpointsDir?: string;
}

/** A trained and saved model. */
export interface TrainResult {
  /** The saved model's folder. */
  dir: string;
  metadata: SavedModelMetadata;
  /** The trained model, still in memory (the caller disposes it). */
  model: tf.LayersModel;
}

/** Loads the training and validation splits of `dataset`, trains, and saves the model. */
export async function trainGenreModel(
  dataset: DatasetConfig,
  config: ModelConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const loadOptions = { progress: options.progress };
  const train = await loadGenreData(dataset, "train", loadOptions);
  const validation = await loadGenreData(dataset, "validation", loadOptions);
  const { width, height } = imageSize(dataset.ratio);
  log(
    `data: ${train.movies.length} training and ${validation.movies.length} validation posters, ${width}x${height}`,
  );
  return await trainOnSplits(train, validation, config, options);
}

/** Trains on already loaded splits and saves the model (what {@linkcode trainGenreModel} does after loading). */
export async function trainOnSplits(
  train: GenreData,
  validation: GenreData,
  config: ModelConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const started = performance.now();
  const name = savedModelName(train.config, config);
  const checkpointDir = join(options.checkpointsDir ?? CHECKPOINTS_DIR, name);
  (options.log ?? ((line: string) => console.error(line)))(
    `model ${name}: ${describeModelConfig(config)}, ` +
      `${config.epochs} epochs${
        config.earlyStoppingPatience ? `, patience ${config.earlyStoppingPatience}` : ""
      }`,
  );
  const fit = await fitGenreModel(train, validation, config, { ...options, checkpointDir });

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
    threshold: chooseThreshold(fit.validation.probabilities, validation.labels, genres),
    baselineThreshold: chooseThreshold(
      frequencyBaseline(frequencies, validation.movies.length),
      validation.labels,
      genres,
    ),
    backend: tf.getBackend(),
    history: fit.history,
    stoppedEarly: fit.stoppedEarly,
    timings: {
      trainSeconds: fit.trainSeconds,
      imagesPerSecond: fit.imagesPerSecond,
      totalSeconds: (performance.now() - started) / 1000,
    },
  };
  const dir = await saveGenreModel(fit.model, metadata, options.savedModelsDir ?? SAVED_MODELS_DIR);
  await removeCheckpoint(checkpointDir);
  return { dir, metadata, model: fit.model };
}
