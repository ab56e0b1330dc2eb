import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_DATASET, DEFAULT_MODEL, imageSize } from "../../lib/config.ts";
import { cnnOutputs, loadQualityCnn, topGenreRate } from "../../lib/gan/quality_cnn.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import { saveGenreModel } from "../../lib/models/saved.ts";
import { fixtureModelMetadata } from "../fixtures.ts";

await tf.setBackend("cpu");

Deno.test("topGenreRate: share of rows whose top score is the asked genre, averaged over genres", () => {
  // Three genres; rows ask for 0, 0, 1, 2.
  const scores = Float32Array.from([
    0.9,
    0.1,
    0.2, // top 0: hit
    0.1,
    0.8,
    0.2, // top 1: miss
    0.1,
    0.7,
    0.6, // top 1: hit
    0.5,
    0.1,
    0.4, // top 0: miss
  ]);
  const { rate, perGenre } = topGenreRate(scores, [0, 0, 1, 2], ["Drama", "Action", "Horror"]);
  assert.deepEqual(perGenre, { Drama: 0.5, Action: 1, Horror: 0 });
  assert.equal(rate, 0.5);
});

Deno.test("without a saved or shipped genre CNN, quality falls back to an untrained one's dense features", async () => {
  const root = await Deno.makeTempDir();
  try {
    const cnn = await loadQualityCnn(undefined, root, root);
    assert.equal(cnn.name, "untrained");
    assert.deepEqual([cnn.height, cnn.width], [80, 55]);
    assert.equal(cnn.model.outputs.length, 2);
    assert.equal(cnn.model.outputs[0].shape[1], 512); // the penultimate dense layer
    assert.equal(cnn.model.outputs[1].shape[1], cnn.genres.length);
    await assert.rejects(() => loadQualityCnn("missing", root), /No saved model/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("without a saved genre CNN, quality uses the shipped model, and reads years from its year head", async () => {
  const root = await Deno.makeTempDir();
  try {
    const cnn = await loadQualityCnn(undefined, root);
    assert.match(cnn.name, /year_rating/);
    assert.ok(cnn.year, "the shipped model has a year head");
    const images = tf.randomUniform([3, 96, 64, 3], -1, 1, "float32", 4) as tf.Tensor4D;
    const out = cnnOutputs(cnn, images);
    assert.equal(out.scores.length, 3 * cnn.genres.length);
    assert.equal(out.years?.length, 3);
    for (const year of out.years!) assert.ok(year > 1900 && year < 2100, `year estimate ${year}`);
    images.dispose();
    cnn.model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a saved v4 CNN measures quality on its global-average-pooled features (what its output reads)", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dataset = { ...DEFAULT_DATASET, ratio: 10 };
    const { width, height } = imageSize(dataset.ratio);
    const model = buildGenreCnn({ height, width, genres: 7, version: 4 });
    const pooled = model.layers.find((layer) => layer.getClassName() === "GlobalAveragePooling2D");
    assert.ok(pooled, "v4 has a global average pool");
    const channels = (pooled.outputShape as number[])[1];
    await saveGenreModel(
      model,
      fixtureModelMetadata("v4", dataset, { model: { ...DEFAULT_MODEL, version: 4 } }),
      root,
    );
    model.dispose();
    const cnn = await loadQualityCnn(undefined, root);
    assert.equal(cnn.name, "v4");
    assert.equal(cnn.model.outputs[0].shape[1], channels);
    assert.equal(cnn.model.outputs[1].shape[1], 7);
    const [features, scores] = cnn.model.predict(tf.zeros([2, height, width, 3])) as tf.Tensor[];
    assert.deepEqual(features.shape, [2, channels]);
    assert.deepEqual(scores.shape, [2, 7]);
    tf.dispose([features, scores]);
    cnn.model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
