import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  lossFunction,
  parseLossName,
} from "../../lib/models/losses.ts";

await tf.setBackend("cpu");

const value = (t: tf.Scalar) => t.dataSync()[0];
const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-5, `expected ${expected}, got ${actual}`);

Deno.test("binary cross-entropy is the mean over films and genres of -log of the right side", () => {
  const labels = tf.tensor2d([[1, 0], [0, 1]]);
  const probabilities = tf.tensor2d([[0.8, 0.4], [0.1, 0.5]]);
  // -(ln .8 + ln .6 + ln .9 + ln .5) / 4
  close(
    value(binaryCrossEntropy(labels, probabilities)),
    -(Math.log(0.8) + Math.log(0.6) + Math.log(0.9) + Math.log(0.5)) / 4,
  );
});

Deno.test("categorical cross-entropy rescales each row to sum to 1, as Keras 2 did", () => {
  const labels = tf.tensor2d([[1, 0], [1, 1]]);
  const probabilities = tf.tensor2d([[0.8, 0.4], [0.2, 0.2]]);
  // Row 1: p = [2/3, 1/3] → -ln(2/3). Row 2: p = [.5, .5] → -2 ln(.5).
  close(value(categoricalCrossEntropy(labels, probabilities)), (-Math.log(2 / 3) - 2 * Math.log(0.5)) / 2);
});

Deno.test("losses are picked by full or short name; unknown names are refused", () => {
  assert.equal(lossFunction(parseLossName("bce")), binaryCrossEntropy);
  assert.equal(lossFunction(parseLossName("categorical_crossentropy")), categoricalCrossEntropy);
  assert.throws(() => parseLossName("mse"), /Unknown loss "mse": use bce/);
});
