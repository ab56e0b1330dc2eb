/**
 * Evaluates saved models on the test split: the model and the frequency baseline side by side, the
 * metrics stored into the model's metadata.json, and prediction lines in the original's format. Each
 * evaluation keeps its predictions (and, on request, the validation split's), and
 * {@linkcode bestEvaluation} picks a model on validation, so a notebook shows them without predicting
 * again.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_EVALUATION_SAMPLE, type Genre, type RegressionTarget, SAVED_MODELS_DIR } from "../config.ts";
import type { GenreData, Movie, Split } from "../dataset/types.ts";
import { loadCatalog } from "../dataset/catalog.ts";
import { loadGenreData } from "../dataset/load.ts";
import {
  listSavedModels,
  loadGenreModel,
  type RegressionEvaluation,
  SavedModelError,
  type SavedModelMetadata,
  type TestEvaluation,
  writeMetadata,
} from "../models/saved.ts";
import { lossFunction } from "../models/losses.ts";
import { bestEpoch } from "../models/metadata.ts";
import { frequencyBaseline, multiLabelMetrics } from "./metrics.ts";
import { predictGenres, type Predictions } from "./predict.ts";
import { meanAbsoluteError } from "../models/regression_heads.ts";
import { regressionHeads, type RegressionScalings, unscale } from "../models/targets.ts";
import { type NamedPrediction, predictNamedTitles, sampleLines } from "./prediction_lines.ts";
import { createLog } from "../util/log.ts";

/** Options of {@linkcode evaluateSavedModel}. */
export interface EvaluateOptions {
  /** Evaluate on this dataset folder instead of the one the model was trained on (same layout). */
  dataDir?: string;
  /** Folder of saved models (default `saved_models`). */
  savedModelsDir?: string;
  /** Test posters to print prediction lines for (default 12). */
  sampleSize?: number;
  /** Show progress bars (default true). */
  progress?: boolean;
  /** Also predict the validation split, into {@linkcode ModelEvaluation.validation} (default false). */
  validation?: boolean;
  /**
   * When evaluating every saved model: called for a damaged model folder, which is then left out so
   * the others still run (default: print the reason). Asking for one model by name throws instead.
   */
  onDamaged?: (error: SavedModelError) => void;
}

/** A model's predictions on one split, with what they are compared against (no pixels). */
export interface SplitPredictions {
  split: Split;
  /** Output order of the columns. */
  genres: Genre[];
  /** The films, in row order. */
  movies: Movie[];
  /** Multi-hot labels, row-major `[films, genres]`. */
  labels: Uint8Array;
  /** Sigmoid probabilities, row-major `[films, genres]`. */
  probabilities: Float32Array;
  /** The training loss on the split. */
  loss: number;
}

/** One model's evaluation. */
export interface ModelEvaluation {
  name: string;
  /** The model's metadata.json, `test` included. */
  metadata: SavedModelMetadata;
  /** As stored into metadata.json. */
  test: TestEvaluation;
  /** The test predictions the metrics come from. */
  testPredictions: SplitPredictions;
  /** The validation split's predictions, with `validation: true`. */
  validation?: SplitPredictions;
  /** The original's named titles: found ones with a line, missing ones without. */
  named: NamedPrediction[];
  /** Lines for a seeded sample of test posters. */
  sample: string[];
}

/** Runs one saved model on the test split, stores the metrics in its metadata.json, returns them. */
export async function evaluateSavedModel(
  name: string,
  options: EvaluateOptions = {},
): Promise<ModelEvaluation> {
  const { model, metadata, dir } = await loadGenreModel(name, options.savedModelsDir ?? SAVED_MODELS_DIR);
  try {
    const dataset = { ...metadata.dataset, dataDir: options.dataDir ?? metadata.dataset.dataDir };
    const test = await loadGenreData(dataset, "test", { progress: options.progress });
    if (test.movies.length === 0) {
      throw new Error(`The test split of ${dataset.dataDir} is empty for ${name}.`);
    }
    const predictions = await predictGenres(model, test, {
      loss: lossFunction(metadata.model.loss),
      label: options.progress === false ? undefined : "test",
    });
    const baseline = frequencyBaseline(metadata.trainGenreFrequencies, test.movies.length);
    const evaluation: TestEvaluation = {
      evaluatedAt: new Date().toISOString(),
      dataDir: dataset.dataDir,
      backend: tf.getBackend(),
      loss: predictions.loss,
      model: multiLabelMetrics(predictions.probabilities, test.labels, test.genres, metadata.threshold),
      baseline: multiLabelMetrics(baseline, test.labels, test.genres, metadata.baselineThreshold),
      imagesPerSecond: predictions.imagesPerSecond,
      ...(metadata.regression
        ? { regression: regressionErrors(test, predictions, metadata.regression) }
        : {}),
    };
    const updated = { ...metadata, test: evaluation };
    await writeMetadata(dir, updated);
    const catalog = await loadCatalog(dataset.dataDir);
    let validation: SplitPredictions | undefined;
    if (options.validation) {
      const split = await loadGenreData(dataset, "validation", { progress: options.progress });
      const predicted = await predictGenres(model, split, {
        loss: lossFunction(metadata.model.loss),
        label: options.progress === false ? undefined : "validation",
      });
      validation = splitPredictions(split, predicted.probabilities, predicted.loss);
    }
    return {
      name,
      metadata: updated,
      test: evaluation,
      testPredictions: splitPredictions(test, predictions.probabilities, predictions.loss),
      ...(validation ? { validation } : {}),
      named: await predictNamedTitles(model, catalog, dataset, metadata.imageSize),
      sample: sampleLines(test, predictions.probabilities, options.sampleSize ?? DEFAULT_EVALUATION_SAMPLE),
    };
  } finally {
    model.dispose();
  }
}

/** Each head's mean absolute error on `data`, beside predicting the training mean for every poster. */
export function regressionErrors(
  data: GenreData,
  predictions: Predictions,
  scalings: RegressionScalings,
): Partial<Record<RegressionTarget, RegressionEvaluation>> {
  const errors: Partial<Record<RegressionTarget, RegressionEvaluation>> = {};
  regressionHeads(scalings).forEach((target, k) => {
    const scaling = scalings[target]!;
    const estimates = predictions.heads[k].map((value) => unscale(scaling, value));
    const { mae, count } = meanAbsoluteError(data.movies, target, estimates);
    const baselineMae = meanAbsoluteError(data.movies, target, estimates.map(() => scaling.mean)).mae;
    errors[target] = { mae, baseline: scaling.mean, baselineMae, count };
  });
  return errors;
}

function splitPredictions(data: GenreData, probabilities: Float32Array, loss: number): SplitPredictions {
  const { split, genres, movies, labels } = data;
  return { split, genres, movies, labels, probabilities, loss };
}

/**
 * The validation mean average precision of the weights a model saved: its `bestEpoch`'s; for models
 * saved before that was recorded, the best epoch when it stopped early, else the last. Undefined
 * without a history.
 */
export function savedValidationMap(metadata: SavedModelMetadata): number | undefined {
  const record = metadata.history.find((r) => r.epoch === metadata.bestEpoch) ??
    (metadata.stoppedEarly ? bestEpoch(metadata.history) : metadata.history.at(-1));
  const map = record?.validationMeanAveragePrecision;
  return typeof map === "number" && Number.isFinite(map) ? map : undefined;
}

/**
 * The model to report: the highest validation mean average precision (models are chosen on
 * validation; the test split only reports).
 */
export function bestEvaluation(evaluations: readonly ModelEvaluation[]): ModelEvaluation {
  if (evaluations.length === 0) throw new Error("No evaluations to choose from.");
  const score = (e: ModelEvaluation) => savedValidationMap(e.metadata) ?? -Infinity;
  return evaluations.reduce((best, e) => (score(e) > score(best) ? e : best));
}

/** Evaluates `name`, or every saved model when `name` is undefined. */
export async function evaluateSavedModels(
  name: string | undefined,
  options: EvaluateOptions = {},
): Promise<ModelEvaluation[]> {
  const names = name !== undefined
    ? [name]
    : await listSavedModels(options.savedModelsDir ?? SAVED_MODELS_DIR);
  if (names.length === 0) {
    throw new Error(
      `No saved models in ${options.savedModelsDir ?? SAVED_MODELS_DIR}: train one with deno task train.`,
    );
  }
  if (name !== undefined) return [await evaluateSavedModel(name, options)];
  const log = createLog();
  const onDamaged = options.onDamaged ?? ((error: SavedModelError) => log(`left out: ${error.message}`));
  const results: ModelEvaluation[] = [];
  for (const each of names) {
    try {
      results.push(await evaluateSavedModel(each, options));
    } catch (error) {
      if (!(error instanceof SavedModelError)) throw error;
      onDamaged(error);
    }
  }
  if (results.length === 0) {
    throw new Error(`No saved model in ${names.join(", ")} could be loaded (see above).`);
  }
  return results;
}
