import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import { binaryCrossEntropy } from "../../lib/models/losses.ts";
import {
  headTargets,
  maskedHuber,
  meanAbsoluteError,
  totalLoss,
  withRegressionHeads,
} from "../../lib/models/regression_heads.ts";
import type { Movie } from "../../lib/dataset/types.ts";

await tf.setBackend("cpu");

const film = (year?: number, score?: number) => ({ year, score }) as Movie;

Deno.test("heads share the network: the genre output is the plain model's, one linear unit per target", () => {
  const base = buildGenreCnn({ height: 27, width: 18, genres: 7, version: 1 });
  const image = tf.randomUniform([2, 27, 18, 3], 0, 1, "float32", 1);
  const plain = (base.predict(image) as tf.Tensor).arraySync();
  const model = withRegressionHeads(base, ["year", "rating"]);
  const [genres, year, rating] = model.predict(image) as tf.Tensor[];
  assert.deepEqual(genres.shape, [2, 7]);
  assert.deepEqual(year.shape, [2, 1]);
  assert.deepEqual(rating.shape, [2, 1]);
  assert.deepEqual(genres.arraySync(), plain);
  assert.deepEqual(model.outputs.map((o) => o.sourceLayer.name).slice(1), ["year_head", "rating_head"]);
  assert.equal(withRegressionHeads(base, []), base, "no targets: the model as it is");
  tf.dispose([image, genres, year, rating]);
});

Deno.test("masked Huber: quadratic within delta, linear beyond, films without a value left out", () => {
  const targets = tf.tensor2d([[0], [0], [0], [5]]);
  const predictions = tf.tensor2d([[0.5], [3], [-2], [100]]);
  const mask = tf.tensor2d([[1], [1], [1], [0]]);
  // 0.5*0.25 = 0.125; 3 → 1*(3 - 0.5) = 2.5; 2 → 1.5; mean over 3 films
  assert.ok(Math.abs(maskedHuber(targets, predictions, mask).dataSync()[0] - (0.125 + 2.5 + 1.5) / 3) < 1e-6);
  assert.equal(maskedHuber(targets, predictions, tf.zeros([4, 1])).dataSync()[0], 0);
  tf.dispose([targets, predictions, mask]);
});

Deno.test("the total loss adds each head's loss on standardised targets to the genre loss", () => {
  const movies = [film(1990, 6), film(2010, undefined)];
  const scalings = { year: { mean: 2000, std: 10 }, rating: { mean: 7, std: 1 } };
  const { values, mask } = headTargets(movies, "rating", scalings);
  assert.deepEqual(values.arraySync(), [[-1], [0]]);
  assert.deepEqual(mask.arraySync(), [[1], [0]]);
  const labels = tf.tensor2d([[1, 0], [0, 1]]);
  const probabilities = tf.tensor2d([[0.8, 0.3], [0.4, 0.6]]);
  const year = tf.tensor2d([[-1], [1]]); // exact
  const rating = tf.tensor2d([[0], [5]]); // off by 1 on the one film with a rating: Huber 0.5
  const genreLoss = binaryCrossEntropy(labels, probabilities).dataSync()[0];
  const total =
    totalLoss(binaryCrossEntropy, labels, [probabilities, year, rating], movies, scalings).dataSync()[0];
  assert.ok(Math.abs(total - (genreLoss + 0.5)) < 1e-6, `${total} vs ${genreLoss} + 0.5`);
  const weighted =
    totalLoss(binaryCrossEntropy, labels, [probabilities, year, rating], movies, scalings, 0.2).dataSync()[0];
  assert.ok(
    Math.abs(weighted - (genreLoss + 0.1)) < 1e-6,
    `head weight 0.2: ${weighted} vs ${genreLoss} + 0.1`,
  );
  assert.equal(
    totalLoss(binaryCrossEntropy, labels, probabilities, movies, undefined).dataSync()[0],
    genreLoss,
  );
  assert.deepEqual(meanAbsoluteError([film(2000), film(undefined), film(1990)], "year", [2004, 0, 1990]), {
    mae: 2,
    count: 2,
  });
  tf.dispose([values, mask, labels, probabilities, year, rating]);
});
