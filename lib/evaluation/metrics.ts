/**
 * Multi-label metrics for genre predictions, on plain arrays (no tensors).
 *
 * Predictions and labels are row-major matrices `[count, genres]`: `probabilities[i * g + j]` is the
 * predicted probability that movie `i` has genre `j`, `labels[i * g + j]` is 0 or 1.
 *
 * The headline figure is mean average precision (the mean over genres of the area under each genre's
 * precision-recall curve): it judges the ranking of films per genre and does not depend on a threshold,
 * which suits independent sigmoid outputs with unequal genre frequencies.
 *
 * @module
 */
import type { GenreMetrics, MultiLabelMetrics } from "../models/metadata.ts";

/** Row-major `[count, genres]` probabilities or scores. */
export type ScoreMatrix = ArrayLike<number>;
/** Row-major `[count, genres]` 0/1 labels. */
export type LabelMatrix = ArrayLike<number>;

function checkShape(probabilities: ScoreMatrix, labels: LabelMatrix, genres: number): number {
  if (genres <= 0 || probabilities.length !== labels.length || probabilities.length % genres !== 0) {
    throw new Error(
      `Predictions (${probabilities.length} values) and labels (${labels.length} values) must both be ` +
        `[count, ${genres}] matrices.`,
    );
  }
  return probabilities.length / genres;
}

/** Column `j` of a row-major matrix with `genres` columns. */
export function column(matrix: ArrayLike<number>, genres: number, j: number): Float64Array {
  const count = matrix.length / genres;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = matrix[i * genres + j];
  return out;
}

/** Indices sorted by descending score (stable, so equal scores keep input order). */
function byDescendingScore(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
}

/**
 * Average precision of one binary ranking: `sum over thresholds of (R_n - R_(n-1)) * P_n`, the
 * step-wise area under the precision-recall curve (scikit-learn's `average_precision_score`).
 * Films with equal scores are one threshold, so ties don't depend on input order.
 * NaN when there is no positive.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = byDescendingScore(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0;
  if (positives === 0) return NaN;
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let area = 0;
  for (let k = 0; k < order.length; k++) {
    truePositives += labels[order[k]] ? 1 : 0;
    seen++;
    const isLastOfTie = k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]];
    if (!isLastOfTie) continue;
    const recall = truePositives / positives;
    area += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return area;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative,
 * ties counting one half (Mann-Whitney U with average ranks). NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1; // 1-based ranks, ties share their mean
    for (let k = start; k <= end; k++) {
      if (labels[order[k]]) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Counts of decisions at a threshold, per genre. */
interface Confusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

function confusionPerGenre(
  probabilities: ScoreMatrix,
  labels: LabelMatrix,
  genres: number,
  threshold: number,
): Confusion[] {
  const counts = Array.from(
    { length: genres },
    () => ({ truePositives: 0, falsePositives: 0, falseNegatives: 0 }),
  );
  for (let k = 0; k < probabilities.length; k++) {
    const predicted = probabilities[k] >= threshold;
    const actual = labels[k] !== 0;
    const c = counts[k % genres];
    if (predicted && actual) c.truePositives++;
    else if (predicted) c.falsePositives++;
    else if (actual) c.falseNegatives++;
  }
  return counts;
}

function f1Of(c: Confusion): number {
  const denominator = 2 * c.truePositives + c.falsePositives + c.falseNegatives;
  return denominator === 0 ? 0 : (2 * c.truePositives) / denominator;
}

/** Micro F1 (decisions pooled), macro F1 (mean of per-genre F1) and per-genre F1 at a threshold. */
export function f1Scores(
  probabilities: ScoreMatrix,
  labels: LabelMatrix,
  genres: number,
  threshold: number,
): { micro: number; macro: number; perGenre: number[] } {
  checkShape(probabilities, labels, genres);
  const counts = confusionPerGenre(probabilities, labels, genres, threshold);
  const pooled = counts.reduce(
    (sum, c) => ({
      truePositives: sum.truePositives + c.truePositives,
      falsePositives: sum.falsePositives + c.falsePositives,
      falseNegatives: sum.falseNegatives + c.falseNegatives,
    }),
    { truePositives: 0, falsePositives: 0, falseNegatives: 0 },
  );
  const perGenre = counts.map(f1Of);
  return { micro: f1Of(pooled), macro: mean(perGenre), perGenre };
}

/** Share of (film, genre) decisions at the threshold that disagree with the labels. */
export function hammingLoss(probabilities: ScoreMatrix, labels: LabelMatrix, threshold: number): number {
  if (probabilities.length !== labels.length) throw new Error("Predictions and labels differ in size.");
  let wrong = 0;
  for (let k = 0; k < probabilities.length; k++) {
    if ((probabilities[k] >= threshold) !== (labels[k] !== 0)) wrong++;
  }
  return probabilities.length === 0 ? NaN : wrong / probabilities.length;
}

/**
 * The accuracy figure of the original project (benckx/dnn-movie-posters, "Overall accuracy is 45%").
 *
 * The original compiled its Keras 2.1 model with `loss='categorical_crossentropy', metrics=['accuracy']`;
 * for that loss Keras resolves 'accuracy' to `categorical_accuracy`, `argmax(y_true) == argmax(y_pred)`,
 * and its test script printed `model.evaluate(...)`'s mean of it. With multi-hot labels `argmax(y_true)`
 * is the film's FIRST genre in the group's order (Comedy, Drama, Action, Animation, Romance,
 * Adventure, Horror, ...), so a film counts as right when the top predicted genre is that first genre
 * — not when it is any of the film's genres. Implemented exactly so, ties going to the lowest index as
 * in numpy/TensorFlow; films without any genre of the group (the original loaded none) count as wrong.
 */
export function originalAccuracy(probabilities: ScoreMatrix, labels: LabelMatrix, genres: number): number {
  const count = checkShape(probabilities, labels, genres);
  if (count === 0) return NaN;
  let right = 0;
  for (let i = 0; i < count; i++) {
    let predicted = 0;
    let firstTrue = -1;
    for (let j = 0; j < genres; j++) {
      if (probabilities[i * genres + j] > probabilities[i * genres + predicted]) predicted = j;
      if (firstTrue < 0 && labels[i * genres + j]) firstTrue = j;
    }
    if (predicted === firstTrue) right++;
  }
  return right / count;
}

/** Mean of the finite values; NaN when there is none. */
export function mean(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** Thresholds tried by {@linkcode chooseThreshold}: 0.05, 0.10, ..., 0.95. */
export const CANDIDATE_THRESHOLDS: number[] = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

/**
 * The threshold with the best micro F1 on these (validation) predictions, among
 * {@linkcode CANDIDATE_THRESHOLDS}; the lowest wins a tie. Choosing it on validation and applying it on
 * test keeps the test split unseen.
 */
export function chooseThreshold(probabilities: ScoreMatrix, labels: LabelMatrix, genres: number): number {
  let best = CANDIDATE_THRESHOLDS[0];
  let bestF1 = -1;
  for (const threshold of CANDIDATE_THRESHOLDS) {
    const { micro } = f1Scores(probabilities, labels, genres, threshold);
    if (micro > bestF1) {
      bestF1 = micro;
      best = threshold;
    }
  }
  return best;
}

/** Every metric of {@linkcode MultiLabelMetrics} for one set of predictions at a given threshold. */
export function multiLabelMetrics(
  probabilities: ScoreMatrix,
  labels: LabelMatrix,
  genreNames: readonly string[],
  threshold: number,
): MultiLabelMetrics {
  const genres = genreNames.length;
  const count = checkShape(probabilities, labels, genres);
  const f1 = f1Scores(probabilities, labels, genres, threshold);
  const perGenre = genreNames.map((genre, j): GenreMetrics => {
    const scores = column(probabilities, genres, j);
    const truth = column(labels, genres, j);
    return {
      genre,
      positives: truth.reduce((a, b) => a + b, 0),
      averagePrecision: averagePrecision(scores, truth),
      rocAuc: rocAuc(scores, truth),
      f1: f1.perGenre[j],
    };
  });
  return {
    count,
    meanAveragePrecision: mean(perGenre.map((g) => g.averagePrecision)),
    meanRocAuc: mean(perGenre.map((g) => g.rocAuc)),
    threshold,
    microF1: f1.micro,
    macroF1: f1.macro,
    hammingLoss: hammingLoss(probabilities, labels, threshold),
    originalAccuracy: originalAccuracy(probabilities, labels, genres),
    perGenre,
  };
}

/** Share of films having each genre: the column means of a label matrix. */
export function genreFrequencies(labels: LabelMatrix, genres: number): number[] {
  const count = labels.length / genres;
  const sums = new Array<number>(genres).fill(0);
  for (let k = 0; k < labels.length; k++) sums[k % genres] += labels[k] ? 1 : 0;
  return sums.map((s) => (count === 0 ? 0 : s / count));
}

/**
 * Predictions of the frequency baseline: every film gets the training split's genre frequencies.
 * A model that learned nothing from the posters scores about this; its mAP is each genre's prevalence.
 */
export function frequencyBaseline(frequencies: readonly number[], count: number): Float32Array {
  const out = new Float32Array(count * frequencies.length);
  for (let i = 0; i < count; i++) out.set(frequencies, i * frequencies.length);
  return out;
}
