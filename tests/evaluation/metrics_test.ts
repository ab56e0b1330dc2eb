import assert from "node:assert/strict";
import {
  averagePrecision,
  chooseThreshold,
  f1Scores,
  frequencyBaseline,
  genreFrequencies,
  hammingLoss,
  multiLabelMetrics,
  originalAccuracy,
  rocAuc,
} from "../../lib/evaluation/metrics.ts";

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ""} expected ${expected}, got ${actual}`);

Deno.test("averagePrecision matches the step-wise area computed by hand", () => {
  // Ranked: 0.8 (pos, P=1, R=.5), 0.4 (neg), 0.35 (pos, P=2/3, R=1), 0.1 (neg) → .5*1 + .5*2/3.
  close(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.5 + 0.5 * (2 / 3));
  close(averagePrecision([0.9, 0.8, 0.7], [1, 1, 0]), 1);
  // A tie is one threshold: both films enter together, precision 1/2 at recall 1.
  close(averagePrecision([0.5, 0.5], [1, 0]), 0.5);
  close(averagePrecision([0.5, 0.5], [0, 1]), 0.5);
  assert.ok(Number.isNaN(averagePrecision([0.3, 0.2], [0, 0])));
});

Deno.test("rocAuc counts ordered positive/negative pairs, ties as half", () => {
  // Pairs (pos, neg): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok → 3/4.
  close(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  close(rocAuc([0.5, 0.5, 0.9], [1, 0, 0]), 0.25); // pos .5 vs .5 tie (.5) and vs .9 (0) → .5/2
  assert.ok(Number.isNaN(rocAuc([0.3, 0.2], [1, 1])));
});

Deno.test("f1Scores and hammingLoss on a 2x2 case worked by hand", () => {
  // Films x genres: film0 [0.9, 0.2] truth [1, 0]; film1 [0.6, 0.7] truth [0, 1].
  const probabilities = [0.9, 0.2, 0.6, 0.7];
  const labels = [1, 0, 0, 1];
  const f1 = f1Scores(probabilities, labels, 2, 0.5);
  close(f1.perGenre[0], 2 / 3); // TP 1, FP 1
  close(f1.perGenre[1], 1); // TP 1
  close(f1.micro, 0.8); // TP 2, FP 1, FN 0 → 4/5
  close(f1.macro, (2 / 3 + 1) / 2);
  close(hammingLoss(probabilities, labels, 0.5), 0.25);
  close(hammingLoss(probabilities, labels, 0.95), 0.5); // nothing predicted: both positives missed
});

Deno.test("originalAccuracy is Keras categorical accuracy: top prediction equals the FIRST true genre", () => {
  const genres = 3;
  const probabilities = [
    0.1,
    0.8,
    0.3, // top Drama; first true genre Comedy → wrong though Drama is true
    0.2,
    0.9,
    0.1, // top Drama; first true genre Drama → right
    0.7,
    0.7,
    0.1, // tie goes to the first index (Comedy); first true Comedy → right
    0.9,
    0.1,
    0.1, // no true genre of the group → wrong
  ];
  const labels = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0];
  close(originalAccuracy(probabilities, labels, genres), 2 / 4);
});

Deno.test("chooseThreshold picks the validation threshold with the best micro F1", () => {
  // Positives score 0.32 and 0.34, negatives 0.2 and 0.1: any threshold in (0.2, 0.32] is perfect.
  const threshold = chooseThreshold([0.32, 0.2, 0.34, 0.1], [1, 0, 1, 0], 1);
  assert.equal(threshold, 0.25);
});

Deno.test("frequency baseline: every film gets the training frequencies; its mAP is the prevalence", () => {
  const trainLabels = [1, 0, 1, 1, 0, 0, 1, 0]; // 4 films x 2 genres
  const frequencies = genreFrequencies(trainLabels, 2);
  assert.deepEqual(frequencies, [0.75, 0.25]);
  const testLabels = [1, 0, 0, 0, 1, 1, 0, 1]; // prevalence: genre0 2/4, genre1 2/4
  const predictions = frequencyBaseline(frequencies, 4);
  assert.deepEqual(Array.from(predictions.slice(0, 4)), [0.75, 0.25, 0.75, 0.25]);
  const metrics = multiLabelMetrics(predictions, testLabels, ["Comedy", "Drama"], 0.5);
  close(metrics.meanAveragePrecision, 0.5);
  close(metrics.meanRocAuc, 0.5);
  close(metrics.perGenre[0].f1, 2 / 3); // predicts Comedy for all four: TP 2, FP 2
  close(metrics.originalAccuracy, 2 / 4); // always Comedy; first true genre Comedy for films 0 and 2
  assert.equal(metrics.count, 4);
});

Deno.test("multiLabelMetrics rejects predictions and labels of different shapes", () => {
  assert.throws(() => multiLabelMetrics([0.1, 0.2, 0.3], [1, 0], ["Comedy"], 0.5), /must both be/);
});
