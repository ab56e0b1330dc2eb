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
import { resolve } from "node:path";
import { DEFAULT_EVALUATION_SAMPLE, type Genre, type RegressionTarget, SAVED_MODELS_DIR } from "../config.ts";
import { loadCatalog } from "../dataset/catalog.ts";
import { loadGenreData } from "../dataset/load.ts";
import { selectMovies } from "../dataset/selection.ts";
import type { GenreData, Movie, Split } from "../dataset/types.ts";
import {
  disposeSavedModel,
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
import { type Predictions, predictSaved } from "./predict.ts";
import { meanAbsoluteError } from "../models/regression_heads.ts";
import { regressionHeads, type RegressionScalings, unscale } from "../models/targets.ts";
import { type NamedPrediction, predictNamedTitles, sampleLines } from "./prediction_lines.ts";
import { createLog } from "../util/log.ts";
import { concatenate } from "../util/arrays.ts";

/** What to evaluate on: one split, or every film of the folder the model's config selects. */
export type EvaluationSplit = Split | "all";

/** The choices of {@linkcode EvaluationSplit}, for flags. */
export const EVALUATION_SPLITS: readonly EvaluationSplit[] = ["test", "validation", "train", "all"];

/** Options of {@linkcode evaluateSavedModel}. */
export interface EvaluateOptions {
  /**
   * Evaluate on this dataset folder instead of the one the model was trained on: the Kaggle layout,
   * `MovieGenre.csv` and `posters/` being enough (posters are resized into its `images/` on the way).
   */
  dataDir?: string;
  /** Which split (default `test`); `all` judges every selected film of the folder. */
  split?: EvaluationSplit;
  /** Folder of saved models (default `saved_models`). */
  savedModelsDir?: string;
  /** Test posters to print prediction lines for (default 12). */
  sampleSize?: number;
  /** Show progress bars (default true). */
  progress?: boolean;
  /** Also predict the validation split, into {@linkcode ModelEvaluation.validation} (default false). */
  validation?: boolean;
  /**
   * Average each poster with its mirror image, or not, whatever the model's config says (default: as it
   * says). Figures judged otherwise than the model answers are not stored in its metadata.
   */
  testTimeMirror?: boolean;
  /**
   * When evaluating every saved model: called for a damaged model folder, which is then left out so
   * the others still run (default: print the reason). Asking for one model by name throws instead.
   */
  onDamaged?: (error: SavedModelError) => void;
}

/** A model's predictions on one split, with what they are compared against (no pixels). */
export interface SplitPredictions {
  /** The split judged (`all`: train, validation and test one after another). */
  split: EvaluationSplit;
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
  /** Each regression head's raw (standardised) output per film, for a model with heads. */
  heads: Float32Array[];
}

/** One model's evaluation. */
export interface ModelEvaluation {
  name: string;
  /** The model's metadata.json (`test` included once the test split of its own folder is judged). */
  metadata: SavedModelMetadata;
  /** The split judged. */
  split: EvaluationSplit;
  /** Posters judged. */
  posters: number;
  /** Whether each poster's outputs were averaged with its mirror image's. */
  mirrored: boolean;
  /** The metrics of the judged split (stored into metadata.json for the test split of the model's own folder). */
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

/**
 * Runs one saved model on a split (default test) and returns the metrics; for the test split of the
 * model's own dataset folder it also stores them in its metadata.json (what `compare` shows).
 */
export async function evaluateSavedModel(
  name: string,
  options: EvaluateOptions = {},
): Promise<ModelEvaluation> {
  const loaded = await loadGenreModel(name, options.savedModelsDir ?? SAVED_MODELS_DIR);
  const own = loaded.metadata.model.testTimeMirror ?? false;
  const views = options.testTimeMirror ?? own;
  const saved = views === own ? loaded : {
    ...loaded,
    metadata: { ...loaded.metadata, model: { ...loaded.metadata.model, testTimeMirror: views } },
  };
  const { metadata, dir } = loaded;
  try {
    const split = options.split ?? "test";
    if (!EVALUATION_SPLITS.includes(split)) {
      throw new Error(`Unknown split "${split}": use ${EVALUATION_SPLITS.join(", ")}.`);
    }
    const dataset = { ...metadata.dataset, dataDir: options.dataDir ?? metadata.dataset.dataDir };
    const catalog = await loadCatalog(dataset.dataDir);
    const splits = (split === "all" ? ["train", "validation", "test"] as const : [split])
      .filter((s) => selectMovies(catalog, dataset, s).length > 0);
    if (splits.length === 0) {
      throw new Error(
        `No ${split === "all" ? "" : `${split} `}posters in ${dataset.dataDir} for ${name} ` +
          `(${dataset.minYear}-${dataset.maxYear}, any of ${dataset.genres.join(", ")}).`,
      );
    }
    const lossOf = lossFunction(metadata.model.loss);
    const parts: { data: GenreData; predictions: Predictions; seconds: number }[] = [];
    for (const each of splits) {
      const data = await loadGenreData(dataset, each, { progress: options.progress, resize: true });
      const predictions = await predictSaved(saved, data, {
        loss: lossOf,
        label: options.progress === false ? undefined : each,
      });
      checkFinite(dir, each, predictions);
      parts.push({
        data,
        predictions,
        seconds: predictions.imagesPerSecond > 0 ? data.movies.length / predictions.imagesPerSecond : 0,
      });
    }
    const probabilities = concatenate(parts.map((p) => p.predictions.probabilities), Float32Array);
    const movies = parts.flatMap((p) => p.data.movies);
    const heads = parts[0].predictions.heads.map((_, k) =>
      concatenate(parts.map((p) => p.predictions.heads[k]), Float32Array)
    );
    const labels = concatenate(parts.map((p) => p.data.labels), Uint8Array);
    const posters = parts.reduce((sum, p) => sum + p.data.movies.length, 0);
    const seconds = parts.reduce((sum, p) => sum + p.seconds, 0);
    const genres = parts[0].data.genres;
    const baseline = frequencyBaseline(metadata.trainGenreFrequencies, posters);
    const evaluation: TestEvaluation = {
      evaluatedAt: new Date().toISOString(),
      dataDir: dataset.dataDir,
      split,
      backend: tf.getBackend(),
      loss: parts.reduce((sum, p) => sum + p.predictions.loss * p.data.movies.length, 0) / posters,
      model: multiLabelMetrics(probabilities, labels, genres, metadata.threshold),
      baseline: multiLabelMetrics(baseline, labels, genres, metadata.baselineThreshold),
      imagesPerSecond: seconds > 0 ? posters / seconds : 0,
      ...(metadata.regression ? { regression: regressionErrors(movies, heads, metadata.regression) } : {}),
    };
    let updated = metadata;
    if (split === "test" && resolve(dataset.dataDir) === resolve(metadata.dataset.dataDir) && views === own) {
      updated = { ...metadata, test: evaluation };
      await writeMetadata(dir, updated);
    }
    let validation: SplitPredictions | undefined;
    if (options.validation) {
      const data = await loadGenreData(dataset, "validation", { progress: options.progress, resize: true });
      const predicted = await predictSaved(saved, data, {
        loss: lossOf,
        label: options.progress === false ? undefined : "validation",
      });
      checkFinite(dir, "validation", predicted);
      validation = {
        ...splitPredictions(data, predicted),
        split: "validation",
      };
    }
    const last = parts[parts.length - 1];
    return {
      name,
      metadata: updated,
      split,
      posters,
      mirrored: views,
      test: evaluation,
      testPredictions: { split, genres, movies, labels, probabilities, loss: evaluation.loss, heads },
      ...(validation ? { validation } : {}),
      named: await predictNamedTitles(saved, catalog, dataset),
      sample: sampleLines(
        last.data,
        last.predictions.probabilities,
        options.sampleSize ?? DEFAULT_EVALUATION_SAMPLE,
      ),
    };
  } finally {
    disposeSavedModel(saved);
  }
}

/**
 * Refuses predictions that are NaN or infinite (weights damaged in a way the files cannot show, e.g.
 * huge but finite after a diverged training): scoring them would store a meaningless mAP.
 */
function checkFinite(dir: string, split: string, predictions: Predictions): void {
  const bad = [predictions.probabilities, ...predictions.heads]
    .reduce((sum, values) => sum + values.filter((x) => !Number.isFinite(x)).length, 0);
  if (bad > 0) {
    throw new SavedModelError(
      `Saved model ${dir} is unusable: it gives ${bad} NaN or infinite outputs on the ${split} split, ` +
        `as weights of a training that diverged do. Train it again with a lower --learning-rate.`,
    );
  }
}

/** Each head's mean absolute error on `data`, beside predicting the training mean for every poster. */
export function regressionErrors(
  movies: readonly Movie[],
  heads: readonly Float32Array[],
  scalings: RegressionScalings,
): Partial<Record<RegressionTarget, RegressionEvaluation>> {
  const errors: Partial<Record<RegressionTarget, RegressionEvaluation>> = {};
  regressionHeads(scalings).forEach((target, k) => {
    const scaling = scalings[target]!;
    const estimates = heads[k].map((value) => unscale(scaling, value));
    const { mae, count } = meanAbsoluteError(movies, target, estimates);
    const baselineMae = meanAbsoluteError(movies, target, estimates.map(() => scaling.mean)).mae;
    errors[target] = { mae, baseline: scaling.mean, baselineMae, count };
  });
  return errors;
}

function splitPredictions(data: GenreData, predicted: Predictions): SplitPredictions {
  const { split, genres, movies, labels } = data;
  const { probabilities, loss, heads } = predicted;
  return { split, genres, movies, labels, probabilities, loss, heads };
}

/**
 * The validation mean average precision of what a model answers: its blend's, for a model with a
 * pretrained branch; else the weights it saved: its `bestEpoch`'s; for models saved before that was recorded, the best epoch when it stopped early, else the last. Undefined
 * without a history.
 */
export function savedValidationMap(metadata: SavedModelMetadata): number | undefined {
  if (metadata.blend) return metadata.blend.validation.blend.meanAveragePrecision;
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
