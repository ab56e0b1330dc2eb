/**
 * The records a saved model's `metadata.json` holds besides its configs: what each training epoch
 * measured and the metrics of a set of predictions, and which epoch is the best. Plain types, kept in
 * models/ so that the saved-model format does not import training/ or evaluation/, which compute them.
 *
 * @module
 */
import type { RegressionTarget } from "../config.ts";

/** What one finished epoch measured. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches (dropout on). */
  loss: number;
  /** Loss on the validation split (dropout off). */
  validationLoss: number;
  /** Mean average precision on the validation split. */
  validationMeanAveragePrecision: number;
  /** The original project's accuracy figure on the validation split. */
  validationOriginalAccuracy: number;
  /** Seconds spent on the epoch's training steps (without validation). */
  trainSeconds: number;
  /** Training throughput of the epoch. */
  imagesPerSecond: number;
  /** Mean absolute error of each regression head on the validation split, in its unit (years, score points). */
  validationMae?: Partial<Record<RegressionTarget, number>>;
}

/** Metrics of one genre. */
export interface GenreMetrics {
  genre: string;
  /** Films of the split that have the genre. */
  positives: number;
  /** Average precision; NaN when the split has no film of the genre. */
  averagePrecision: number;
  /** Area under the ROC curve; NaN when the split has only films with (or only without) the genre. */
  rocAuc: number;
  /** F1 at the chosen threshold; 0 when nothing is predicted and nothing is true. */
  f1: number;
}

/** Every metric of one set of predictions. */
export interface MultiLabelMetrics {
  /** Films scored. */
  count: number;
  /** Mean over genres (with at least one positive) of the average precision. */
  meanAveragePrecision: number;
  /** Mean over genres (with both classes present) of the ROC AUC. */
  meanRocAuc: number;
  /** Threshold a probability must reach to count as a predicted genre. */
  threshold: number;
  /** F1 over all (film, genre) decisions pooled. */
  microF1: number;
  /** Mean of the per-genre F1. */
  macroF1: number;
  /** Share of (film, genre) decisions that are wrong at the threshold. */
  hammingLoss: number;
  /** The original project's accuracy figure, see {@linkcode originalAccuracy}. */
  originalAccuracy: number;
  perGenre: GenreMetrics[];
}

/** The epoch with the lowest validation loss, or undefined for an empty history. */
export function bestEpoch(history: readonly EpochRecord[]): EpochRecord | undefined {
  return history.reduce<EpochRecord | undefined>(
    (best, record) => (best === undefined || record.validationLoss < best.validationLoss ? record : best),
    undefined,
  );
}
