/** Best of K: the classifier's score, the noise layout, the choice, and the quality figures drawn that way. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  candidateNoise,
  conditionScore,
  drawPosters,
  type PosterChooser,
} from "../../lib/gan/choose_posters.ts";
import { makePosters, posterBatches } from "../../lib/gan/make_posters.ts";
import { measureQuality, type QualitySettings, realReference } from "../../lib/gan/generator_quality.ts";
import { ALL_GENRES } from "../../lib/config.ts";
import { classifierModel, conditionVector, DECADES } from "../../lib/models/dcgan.ts";
import { FIXTURE_SHAPE, makeFixtureRun, randomDiscriminator, randomGenerator } from "./generator_fixture.ts";
import { loadChooser } from "../../lib/gan/checkpoint.ts";
import { join } from "node:path";
import { tinyCnn } from "./quality_fixture.ts";

await tf.setBackend("cpu");

const LAYOUT = { genres: [...ALL_GENRES], decades: [...DECADES] };
const LATENT = FIXTURE_SHAPE.latentDim;

function fixtureChooser(): PosterChooser {
  const classifier = classifierModel(randomDiscriminator());
  assert.ok(classifier, "a projection discriminator with a classifier gives one");
  return { classifier, genres: ALL_GENRES.length };
}

Deno.test("conditionScore: log-probabilities of the asked genres' sigmoids and the asked decade's softmax", () => {
  // 2 genres, 3 decades; row 0 asks genre 0 and decade 1, row 1 asks both genres and decade 2.
  const conditions = tf.tensor2d([[1, 0, 0, 1, 0], [1, 1, 0, 0, 1]]);
  const logits = tf.tensor2d([[2, -1, 0, 1, 0], [0.5, -3, 1, 1, 1]]);
  const logSigmoid = (x: number) => -Math.log1p(Math.exp(-x));
  const logSoftmax = (row: number[], i: number) =>
    row[i] - Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
  const expected = [
    logSigmoid(2) + logSoftmax([0, 1, 0], 1),
    logSigmoid(0.5) + logSigmoid(-3) + logSoftmax([1, 1, 1], 2),
  ];
  const score = conditionScore(tf, conditions, logits, 2).arraySync();
  score.forEach((s, i) => assert.ok(Math.abs(s - expected[i]) < 1e-5, `${s} vs ${expected[i]}`));
});

Deno.test("candidateNoise: candidate j of poster i is row j * count + i, and candidate 0 is one draw's noise", () => {
  const noise = tf.tensor2d(Array.from({ length: 6 }, (_, r) => [r, 10 * r])); // 3 candidates of 2 posters
  assert.deepEqual(candidateNoise(tf, noise, 2, 1, 1, 3).arraySync(), [[1, 10], [3, 30], [5, 50]]);
  assert.deepEqual(candidateNoise(tf, noise, 2, 0, 2, 1).arraySync(), [[0, 0], [1, 10]]);
});

Deno.test("drawPosters keeps, per poster, the candidate the classifier reads most surely as asked", () => {
  const generator = randomGenerator();
  const chooser = fixtureChooser();
  const k = 4, n = 3;
  const asked = [
    conditionVector(["Horror"], 1980),
    conditionVector(["Sci-Fi"], 2000),
    conditionVector(["Drama"], 1990),
  ];
  const conditions = tf.tensor2d(asked.map((row) => [...row]));
  const noise = tf.randomNormal([k * n, LATENT], 0, 1, "float32", 7) as tf.Tensor2D;
  const chosen = drawPosters(tf, generator, noise, conditions, { candidates: k, chooser }).arraySync();
  // Every candidate drawn one by one, scored, the best kept: the same images.
  const all = generator.predict([noise, tf.tile(conditions, [k, 1])]) as tf.Tensor4D;
  const scores = conditionScore(
    tf,
    tf.tile(conditions, [k, 1]) as tf.Tensor2D,
    chooser.classifier.predict(all) as tf.Tensor2D,
    chooser.genres,
  ).arraySync();
  const images = all.arraySync();
  const picks: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[j * n + i] > scores[best * n + i]) best = j;
    picks.push(best);
    assert.deepEqual(chosen[i], images[best * n + i]);
  }
  // One candidate is the generator's own draw of the first noise rows.
  const one = drawPosters(tf, generator, noise.slice([0, 0], [n, LATENT]), conditions, { candidates: 1 });
  assert.deepEqual(one.arraySync(), images.slice(0, n));
  assert.ok(
    picks.some((p) => p > 0),
    `the classifier kept candidate 0 each time (${picks}): no choice tested`,
  );
  // Without a classifier, or without a condition, there is nothing to choose by.
  assert.throws(
    () => drawPosters(tf, generator, noise, conditions, { candidates: k }),
    /need the discriminator's classifier to choose.*draw 1 candidate/,
  );
  assert.throws(
    () => drawPosters(tf, generator, noise, undefined, { candidates: k, chooser }),
    /unconditional generator has no asked genre/,
  );
  assert.throws(() => drawPosters(tf, generator, noise, conditions, { candidates: 0, chooser }), /from 1/);
  assert.throws(
    () =>
      drawPosters(tf, generator, noise.slice([0, 0], [10, LATENT]), conditions, { candidates: k, chooser }),
    /10 noise rows do not make 4 candidates for each of 3 posters/,
  );
  generator.dispose();
});

Deno.test("posters drawn with candidates a batch at a time are those of one call; 1 candidate is the plain draw", async () => {
  const generator = randomGenerator();
  const chooser = fixtureChooser();
  const inputs = { latentDim: LATENT, condition: LAYOUT, chooser };
  const ask = { genres: ["Horror"], decade: 1980, count: 5, seed: 3, candidates: 4 };
  const whole = await makePosters(tf, generator, inputs, ask);
  const parts = [];
  for await (const batch of posterBatches(tf, generator, inputs, ask, 8)) parts.push(batch); // 2 posters a batch
  assert.deepEqual(parts.map((b) => b.count), [2, 2, 1]);
  const joined = new Uint8Array(whole.pixels.length);
  parts.reduce((offset, b) => (joined.set(b.pixels, offset), offset + b.pixels.length), 0);
  const off = joined.reduce((most, v, i) => Math.max(most, Math.abs(v - whole.pixels[i])), 0);
  assert.ok(off <= 1, `batched posters differ by ${off}`);
  const plain = await makePosters(tf, generator, { latentDim: LATENT, condition: LAYOUT }, {
    ...ask,
    candidates: 1,
  });
  const withChooser = await makePosters(tf, generator, inputs, { ...ask, candidates: 1 });
  assert.deepEqual(withChooser, plain, "one candidate ignores the classifier");
  assert.notDeepEqual(whole.pixels, plain.pixels);
  generator.dispose();
});

Deno.test("quality figures drawn with 1 candidate and no truncation are the run's own; with more they move", () => {
  const generator = randomGenerator();
  const chooser = fixtureChooser();
  const { width, height } = FIXTURE_SHAPE;
  const count = 24;
  const pixels = new Uint8Array(count * width * height * 3);
  for (let i = 0; i < count; i++) {
    pixels.fill(30 + 40 * (i % 5), i * width * height * 3, (i + 1) * width * height * 3);
  }
  const genres = [["Drama"], ["Action"], ["Horror"]];
  const conditions = Array.from(
    { length: count },
    (_, i) => conditionVector(genres[i % 3], 1980 + 10 * (i % 3)),
  );
  const cnn = tinyCnn();
  const settings: QualitySettings = { shape: FIXTURE_SHAPE, seed: 1, qualitySamples: 8 };
  const real = realReference(cnn, pixels, FIXTURE_SHAPE, conditions, settings);
  const state = { step: 40, epoch: 2 };
  const own = measureQuality(cnn, real, generator, settings, state);
  const sampled = (candidates: number, truncation: number) =>
    measureQuality(
      cnn,
      real,
      generator,
      { ...settings, sampling: { candidates, truncation, chooser } },
      state,
    );
  assert.deepEqual(sampled(1, 1), own);
  const best = sampled(4, 1);
  assert.notEqual(best.frechetDistance, own.frechetDistance);
  assert.ok(best.genreHits && own.genreHits);
  assert.notEqual(sampled(1, 0.5).frechetDistance, own.frechetDistance);
  generator.dispose();
  cnn.model.dispose();
});

Deno.test("loadChooser keeps the discriminator's classifier and frees the rest of it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = await makeFixtureRun(root);
    const before = tf.memory().numTensors;
    const chooser = await loadChooser(join(runDir, "checkpoint"));
    assert.ok(chooser);
    assert.ok(!chooser.classifier.layers.some((layer) => layer.name === "logit"));
    chooser.classifier.dispose();
    assert.equal(tf.memory().numTensors, before, "the logit and projection weights were left behind");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
