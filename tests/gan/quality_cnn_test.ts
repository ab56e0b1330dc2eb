import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadQualityCnn, topGenreRate } from "../../lib/gan/quality_cnn.ts";

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

Deno.test("without a saved genre CNN, quality falls back to an untrained one's dense features", async () => {
  const root = await Deno.makeTempDir();
  try {
    const cnn = await loadQualityCnn(undefined, root);
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
