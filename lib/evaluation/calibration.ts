/**
 * Calibration of multi-label probabilities: are the genres given 70% right 70% of the time? Every
 * (film, genre) probability is one prediction; they are put in equal-width bins, and each bin's mean
 * probability is set beside how often its genres were true. The expected calibration error is the
 * mean gap, weighted by each bin's share of predictions.
 *
 * @example
 * ```ts
 * import { calibration } from "./calibration.ts";
 * const bins = calibration(Float32Array.of(0.9, 0.1, 0.8, 0.2), Uint8Array.of(1, 0, 1, 1), 2);
 * console.log(bins.bins.map((b) => [b.count, b.observed])); // [[2, 0.5], [2, 1]]
 * ```
 *
 * @module
 */

/** One bin of predictions. */
export interface CalibrationBin {
  /** The bin's probabilities are at least `from` and below `to` (the last bin includes 1). */
  from: number;
  to: number;
  /** Predictions in the bin. */
  count: number;
  /** Their mean probability (NaN for an empty bin). */
  predicted: number;
  /** The share of them whose genre was true (NaN for an empty bin). */
  observed: number;
}

/** The bins and the expected calibration error. */
export interface Calibration {
  bins: CalibrationBin[];
  /** Σ share of predictions × |predicted − observed| over the bins. */
  expectedError: number;
}

/** Bins `binCount` equal-width bins of `probabilities` against the 0/1 `labels` of the same order. */
export function calibration(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  binCount = 10,
): Calibration {
  if (probabilities.length !== labels.length) {
    throw new Error(`calibration: ${probabilities.length} probabilities but ${labels.length} labels.`);
  }
  const sums = Array.from({ length: binCount }, () => ({ count: 0, probability: 0, positives: 0 }));
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    const bin = sums[Math.min(binCount - 1, Math.max(0, Math.floor(p * binCount)))];
    bin.count++;
    bin.probability += p;
    bin.positives += labels[i] ? 1 : 0;
  }
  const bins = sums.map((s, b) => ({
    from: b / binCount,
    to: (b + 1) / binCount,
    count: s.count,
    predicted: s.count ? s.probability / s.count : NaN,
    observed: s.count ? s.positives / s.count : NaN,
  }));
  const total = probabilities.length;
  const expectedError = bins.reduce(
    (sum, b) => (b.count ? sum + (b.count / total) * Math.abs(b.predicted - b.observed) : sum),
    0,
  );
  return { bins, expectedError };
}
