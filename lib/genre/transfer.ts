/**
 * Transfer learning on its own, measured: the frozen MobileNetV2 (models/feature_branch.ts) turns each
 * poster into 1280 features once, and the pretrained branch's head (feature_branch.ts) is trained on
 * them and judged on the validation split like the from-scratch models, at any poster size.
 *
 * ```ts
 * import { DEFAULT_FEATURE_BRANCH } from "../config.ts";
 * import type { GenreData } from "../dataset/types.ts";
 * import { transferExperiment } from "./transfer.ts";
 * declare const train: GenreData, validation: GenreData;
 * const result = await transferExperiment(train, validation, DEFAULT_FEATURE_BRANCH);
 * console.log(result.validation.meanAveragePrecision);
 * ```
 *
 * @module
 */
import type { FeatureBranchConfig } from "../config.ts";
import type { GenreData } from "../dataset/types.ts";
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import type { MultiLabelMetrics } from "../models/metadata.ts";
import { extractFeatures, headOutputs, loadFeatureExtractor } from "../models/feature_branch.ts";
import { trainFeatureHead } from "./feature_branch.ts";

/** What {@linkcode transferExperiment} measured. */
export interface TransferResult {
  /** Validation metrics of the head (threshold 0.5 for the F1 figures). */
  validation: MultiLabelMetrics;
  /** Seconds spent extracting features (train + validation) and training the head. */
  featureSeconds: number;
  headSeconds: number;
}

/**
 * Extracts features of both splits at their own poster size (`config.ratio` is not used: the splits
 * are already loaded), trains the head on train, and measures it on validation (`config.refit` is not
 * used either: the experiment's figure is the validation split's).
 */
export async function transferExperiment(
  train: GenreData,
  validation: GenreData,
  config: FeatureBranchConfig,
  options: { progress?: boolean } = {},
): Promise<TransferResult> {
  const [, height, width] = train.shape;
  const started = performance.now();
  const extractor = await loadFeatureExtractor({ height, width });
  const trainFeatures = await extractFeatures(extractor, train, options);
  const validationFeatures = await extractFeatures(extractor, validation, options);
  extractor.dispose();
  const featureSeconds = (performance.now() - started) / 1000;
  const headStarted = performance.now();
  const head = await trainFeatureHead(trainFeatures, train, config);
  const { probabilities } = await headOutputs(head, validationFeatures);
  head.dispose();
  return {
    validation: multiLabelMetrics(probabilities, validation.labels, validation.genres, 0.5),
    featureSeconds,
    headSeconds: (performance.now() - headStarted) / 1000,
  };
}
