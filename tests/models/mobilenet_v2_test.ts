import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { load } from "nsfwjs/core";
import { MobileNetV2Model } from "nsfwjs/models/mobilenet_v2";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadMobileNetV2Features, MOBILENET_V2_FEATURES } from "../../lib/models/mobilenet_v2.ts";

await initBackend("wasm", { log: () => {} });

Deno.test("the bundled MobileNetV2, rebuilt for poster sizes: at 224x224 its features are nsfwjs's own", async () => {
  const x = tf.randomUniform([2, 224, 224, 3], 0, 1, "float32", 4);
  const extractor = await loadMobileNetV2Features({ height: 224, width: 224 });
  assert.equal(extractor.trainable, false, "frozen");
  const ours = (extractor.predict(x) as tf.Tensor).dataSync();

  const info = console.info;
  console.info = () => {};
  const nsfw = await load("MobileNetV2", { modelDefinitions: [MobileNetV2Model] } as never);
  console.info = info;
  const original = (nsfw as unknown as { model: tf.LayersModel }).model;
  // nsfwjs pools the last ReLU 7x7 (all of it at 224) and flattens: the same 1280 means.
  const reference = tf.model({ inputs: original.inputs, outputs: original.getLayer("flatten_1").output });
  const theirs = (reference.predict(x) as tf.Tensor).dataSync();
  assert.equal(ours.length, 2 * MOBILENET_V2_FEATURES);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
  assert.ok(ours.some((v) => v > 0), "features are not all zero");

  const poster = await loadMobileNetV2Features({ height: 80, width: 55 });
  assert.deepEqual((poster.predict(tf.zeros([3, 80, 55, 3])) as tf.Tensor).shape, [3, MOBILENET_V2_FEATURES]);
  x.dispose();
  extractor.dispose();
  poster.dispose();
  original.dispose();
});
