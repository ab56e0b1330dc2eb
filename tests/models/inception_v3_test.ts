import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { load } from "nsfwjs/core";
import { InceptionV3Model } from "nsfwjs/models/inception_v3";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  INCEPTION_V3_FEATURES,
  INCEPTION_V3_SIZE,
  inceptionV3Input,
  loadInceptionV3Features,
} from "../../lib/models/inception_v3.ts";

await initBackend("wasm", { log: () => {} });

Deno.test("the bundled InceptionV3: 2048 features, the same twice, nsfwjs's own pooled mixed10", async () => {
  const started = performance.now();
  const extractor = await loadInceptionV3Features();
  const loadSeconds = (performance.now() - started) / 1000;
  assert.ok(loadSeconds < 60, `loading took ${loadSeconds.toFixed(1)}s`);
  assert.equal(extractor.trainable, false, "frozen");
  // One image: each costs about a second on wasm with 2 cores.
  const x = tf.randomUniform([1, INCEPTION_V3_SIZE, INCEPTION_V3_SIZE, 3], 0, 1, "float32", 4);
  const first = extractor.predict(x) as tf.Tensor;
  assert.deepEqual(first.shape, [1, INCEPTION_V3_FEATURES]);
  const ours = first.dataSync();
  assert.deepEqual((extractor.predict(x) as tf.Tensor).dataSync(), ours, "deterministic");
  assert.ok(ours.some((v) => v > 0), "features are not all zero");

  const info = console.info;
  console.info = () => {};
  const nsfw = await load("InceptionV3", { modelDefinitions: [InceptionV3Model] } as never);
  console.info = info;
  const original = (nsfw as unknown as { model: tf.LayersModel }).model;
  // nsfwjs's head pools mixed10 8x8 (all of it at 299) and flattens: the same 2048 means.
  const reference = tf.model({ inputs: original.inputs, outputs: original.getLayer("flatten_1").output });
  const theirs = (reference.predict(x) as tf.Tensor).dataSync();
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
  tf.dispose([x]);
  extractor.dispose();
  original.dispose();
});

Deno.test("the input as nsfwjs makes it: pixels / 255, resized to 299x299 with corners aligned", () => {
  const pixels = tf.tensor4d([0, 255, 51, 102, 0, 255], [1, 2, 1, 3]);
  const input = inceptionV3Input(pixels);
  assert.deepEqual(input.shape, [1, INCEPTION_V3_SIZE, INCEPTION_V3_SIZE, 3]);
  const values = input.dataSync();
  // Corners aligned: the first and last rows are the two pixels themselves, scaled to [0, 1].
  assert.deepEqual(Array.from(values.slice(0, 3)).map((v) => Math.round(v * 100) / 100), [0, 1, 0.2]);
  assert.deepEqual(Array.from(values.slice(-3)).map((v) => Math.round(v * 100) / 100), [0.4, 0, 1]);
  assert.ok(values.every((v) => v >= 0 && v <= 1));
  tf.dispose([pixels, input]);
});
