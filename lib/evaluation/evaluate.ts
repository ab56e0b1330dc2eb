/**
 * Evaluates saved models on the test split: the model and the frequency baseline side by side, the
 * metrics stored into the model's metadata.json, and prediction lines in the original's format.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SAVED_MODELS_DIR } from "../config.ts";
import { loadCatalog } from "../dataset/catalog.ts";
import { loadGenreData } from "../dataset/load.ts";
import {
  listSavedModels,
  loadGenreModel,
  SavedModelError,
  type TestEvaluation,
  writeMetadata,
} from "../models/saved.ts";
import { lossFunction } from "../models/losses.ts";
import { frequencyBaseline, multiLabelMetrics } from "./metrics.ts";
import { predictGenres } from "./predict.ts";
import { type NamedPrediction, predictNamedTitles, sampleLines } from "./prediction_lines.ts";

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
  /**
   * When evaluating every saved model: called for a damaged model folder, which is then left out so
   * the others still run (default: print the reason). Asking for one model by name throws instead.
   */
  onDamaged?: (error: SavedModelError) => void;
}

/** One model's evaluation. */
export interface ModelEvaluation {
  name: string;
  /** As stored into metadata.json. */
  test: TestEvaluation;
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
    };
    await writeMetadata(dir, { ...metadata, test: evaluation });
    const catalog = await loadCatalog(dataset.dataDir);
    return {
      name,
      test: evaluation,
      named: await predictNamedTitles(model, catalog, dataset, metadata.imageSize),
      sample: sampleLines(test, predictions.probabilities, options.sampleSize ?? 12),
    };
  } finally {
    model.dispose();
  }
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
  const onDamaged = options.onDamaged ?? ((error) => console.error(`left out: ${error.message}`));
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
