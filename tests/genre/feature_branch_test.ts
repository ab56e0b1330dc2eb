import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_DATASET, DEFAULT_FEATURE_BRANCH } from "../../lib/config.ts";
import type { Movie } from "../../lib/dataset/types.ts";
import { chooseBlend, fitBranch, trainFeatureHead } from "../../lib/genre/feature_branch.ts";
import { headOutputs } from "../../lib/models/feature_branch.ts";
import { MOBILENET_V2_FEATURES } from "../../lib/models/mobilenet_v2.ts";
import { multiLabelMetrics } from "../../lib/evaluation/metrics.ts";
import { seededRandom } from "../../lib/util/random.ts";

await tf.setBackend("cpu");

const GENRES = DEFAULT_DATASET.genres;
const SCALINGS = { year: { mean: 2000, std: 10 }, rating: { mean: 6, std: 1 } };

/** Films whose features carry their genres (feature j is high for genre j) and, in feature 10, their year. */
function films(count: number, seed: number) {
  const random = seededRandom(seed);
  const movies: Movie[] = [];
  const labels = new Uint8Array(count * GENRES.length);
  const features = new Float32Array(count * MOBILENET_V2_FEATURES);
  for (let i = 0; i < count; i++) {
    const genre = i % GENRES.length;
    labels[i * GENRES.length + genre] = 1;
    const year = 1980 + Math.floor(random() * 40);
    movies.push({
      imdbId: i + 1,
      title: `Film ${i}`,
      year,
      genres: [GENRES[genre]],
      score: 6,
      imdbLink: "",
      line: i + 2,
    });
    for (let f = 0; f < MOBILENET_V2_FEATURES; f++) features[i * MOBILENET_V2_FEATURES + f] = random() * 0.02;
    features[i * MOBILENET_V2_FEATURES + genre] += 1;
    features[i * MOBILENET_V2_FEATURES + 10] = (year - 2000) / 10;
  }
  return { movies, labels, genres: GENRES, features };
}

Deno.test("the branch's head learns genres and year from features", async () => {
  const train = films(140, 1);
  const validation = films(70, 2);
  const head = await trainFeatureHead(train.features, train, {
    ...DEFAULT_FEATURE_BRANCH,
    epochs: 80,
    dropout: 0,
    learningRate: 1e-2,
  }, {
    regression: SCALINGS,
  });
  const { probabilities, heads } = await headOutputs(head, validation.features);
  head.dispose();
  assert.equal(heads.length, 2);
  const map = multiLabelMetrics(probabilities, validation.labels, GENRES, 0.5).meanAveragePrecision;
  assert.ok(map > 0.95, `mAP ${map}`);
  const years = validation.movies.map((m) => m.year!);
  const error = years.reduce((sum, year, i) => sum + Math.abs(2000 + 10 * heads[0][i] - year), 0) /
    years.length;
  assert.ok(error < 3, `year MAE ${error}`);
});

Deno.test("chooseBlend takes the weights validation prefers, and reports each part", () => {
  const validation = films(70, 3);
  const n = validation.movies.length;
  const truth = Float32Array.from(validation.labels);
  const noise = seededRandom(4);
  const random = Float32Array.from(truth, () => noise());
  const years = Float32Array.from(
    validation.movies,
    (m) => (m.year! - 2000) / 10,
  );
  // The branch knows the genres and the CNN knows nothing: the weight goes to the branch (from the
  // first weight whose ranking is perfect on); the CNN knows the years and the branch nothing: none does.
  const cnn = { probabilities: random, heads: [years, new Float32Array(n)] };
  const branch = { probabilities: truth, heads: [new Float32Array(n), new Float32Array(n)] };
  const blend = chooseBlend(
    validation,
    cnn,
    branch,
    DEFAULT_FEATURE_BRANCH,
    { width: 182, height: 268 },
    SCALINGS,
  );
  assert.ok(blend.genreWeight >= 0.5, `weight ${blend.genreWeight}`);
  assert.equal(blend.headWeights[0], 0);
  assert.equal(blend.validation.blend.meanAveragePrecision, 1);
  assert.ok(blend.validation.cnn.meanAveragePrecision < 0.6);
  assert.equal(blend.validation.cnn.mae.year, 0);
  assert.ok(blend.validation.branch.mae.year! > 5);
  assert.deepEqual(blend.imageSize, { width: 182, height: 268 });
});

Deno.test("fitBranch's refit trains the head on validation too, and keeps the choices of the first head", async () => {
  const train = films(140, 5);
  const validation = films(70, 6);
  // Validation posters carry their genre in feature 20 + j instead of j: only a head that trained on
  // them can read it.
  for (let i = 0; i < validation.movies.length; i++) {
    const row = validation.features.subarray(i * MOBILENET_V2_FEATURES, (i + 1) * MOBILENET_V2_FEATURES);
    const genre = i % GENRES.length;
    row[genre] -= 1;
    row[20 + genre] += 1;
  }
  const noise = seededRandom(7);
  const n = validation.movies.length;
  const cnn = {
    probabilities: Float32Array.from(validation.labels, () => noise()),
    heads: [new Float32Array(n), new Float32Array(n)],
  };
  const config = { ...DEFAULT_FEATURE_BRANCH, epochs: 40, dropout: 0, learningRate: 1e-2 };
  const fit = (refit: boolean) =>
    fitBranch(
      { features: train.features, data: train },
      { features: validation.features, data: validation },
      cnn,
      { ...config, refit },
      { regression: SCALINGS, log: () => {} },
    );
  const once = await fit(false);
  const again = await fit(true);
  const map = async (head: tf.LayersModel) => {
    const { probabilities } = await headOutputs(head, validation.features);
    head.dispose();
    return multiLabelMetrics(probabilities, validation.labels, GENRES, 0.5).meanAveragePrecision;
  };
  const [onceMap, againMap] = [await map(once.head), await map(again.head)];
  assert.ok(onceMap < 0.5, `the first head on validation: mAP ${onceMap}`);
  assert.ok(againMap > 0.95, `the refit head on validation: mAP ${againMap}`);
  assert.deepEqual({ ...again.blend, config: once.blend.config }, once.blend);
  assert.equal(again.blend.config.refit, true);
  assert.deepEqual(again.validation, once.validation);
});
