import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  gradCam,
  heatmapRgba,
  jetColor,
  lastConvLayerIndex,
  splitAtLastConv,
} from "../../lib/inference/gradcam.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";

await tf.setBackend("cpu");

Deno.test("Grad-CAM lights up the part of the image that raises the score", () => {
  // conv 1x1 that passes the red channel, then a dense layer that adds everything up: the map must
  // be where the red is (top-left 4x4 of 8x8), zero elsewhere.
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [8, 8, 3],
      filters: 1,
      kernelSize: 1,
      activation: "relu",
      useBias: false,
    }),
  );
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  model.layers[0].setWeights([tf.tensor4d([1, 0, 0], [1, 1, 3, 1])]);
  model.layers[2].setWeights([tf.fill([64, 1], 0.1), tf.zeros([1])]);
  const pixels = new Float32Array(8 * 8 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) pixels[(y * 8 + x) * 3] = 1;
  pixels[(6 * 8 + 6) * 3 + 1] = 1; // green elsewhere: the conv ignores it
  const image = tf.tensor4d(pixels, [1, 8, 8, 3]);
  const { probabilities, maps } = gradCam(tf, model, image, [0]);
  assert.ok(Math.abs(probabilities[0] - 1 / (1 + Math.exp(-1.6))) < 1e-5);
  assert.equal(maps[0].width, 8);
  assert.equal(maps[0].height, 8);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      assert.equal(maps[0].values[y * 8 + x], x < 4 && y < 4 ? 1 : 0, `(${x}, ${y})`);
    }
  }
  // A genre whose weights are negative there has no positive evidence: an all-zero map.
  model.layers[2].setWeights([tf.fill([64, 1], -0.1), tf.zeros([1])]);
  assert.ok(gradCam(tf, model, image, [0]).maps[0].values.every((v) => v === 0));
  image.dispose();
  model.dispose();
});

Deno.test("on the genre CNN the maps cover the last conv layer's grid and the scores equal predict()", () => {
  const model = buildGenreCnn({ height: 27, width: 18, genres: 7, version: 1 });
  assert.equal(lastConvLayerIndex(model), 5);
  const image = tf.randomUniform([1, 27, 18, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const { probabilities, maps } = gradCam(tf, model, image, [0, 3, 6]);
  const expected = (model.predict(image) as tf.Tensor).dataSync();
  probabilities.forEach((p, j) => assert.ok(Math.abs(p - expected[j]) < 1e-5));
  const [, h, w] = model.layers[5].outputShape as number[];
  assert.equal(maps.length, 3);
  for (const map of maps) {
    assert.deepEqual([map.height, map.width], [h, w]);
    const peak = Math.max(...map.values);
    assert.ok(map.values.every((v) => v >= 0 && v <= 1));
    assert.ok(peak === 1 || peak === 0);
  }
  image.dispose();
  model.dispose();
});

Deno.test("the heat map runs from blue (nothing) to red (strongest), more opaque where it is strong", () => {
  assert.deepEqual(jetColor(0), [0, 0, 128]);
  assert.deepEqual(jetColor(1), [128, 0, 0]);
  assert.equal(jetColor(0.5)[1], 255);
  const rgba = heatmapRgba({ width: 2, height: 1, values: Float32Array.from([0, 1]) }, 0.6);
  assert.deepEqual([...rgba], [0, 0, 128, 38, 128, 0, 0, 153]);
});

Deno.test("a conv followed by batch norm and ReLU is cut after them; other outputs stay out of the head", () => {
  const input = tf.input({ shape: [10, 8, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same" }).apply(
    input,
  ) as tf.SymbolicTensor;
  const norm = tf.layers.batchNormalization().apply(conv) as tf.SymbolicTensor;
  const relu = tf.layers.reLU().apply(norm) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(relu) as tf.SymbolicTensor;
  const year = tf.layers.dense({ units: 1, name: "year_head" }).apply(pooled) as tf.SymbolicTensor;
  const genres = tf.layers.dense({ units: 2, activation: "sigmoid" }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [genres, year] });
  const { trunk, head } = splitAtLastConv(model);
  assert.deepEqual(trunk.map((l) => l.getClassName()), ["Conv2D", "BatchNormalization", "ReLU"]);
  assert.deepEqual(head.map((l) => l.getClassName()), ["GlobalAveragePooling2D", "Dense"]);
  assert.ok(!head.some((l) => l.name === "year_head"));
  const image = tf.randomUniform([1, 10, 8, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const { probabilities, maps } = gradCam(tf, model, image, [1]);
  const expected = (model.predict(image) as tf.Tensor[])[0].dataSync();
  assert.ok(Math.abs(probabilities[1] - expected[1]) < 1e-5);
  assert.deepEqual([maps[0].width, maps[0].height], [8, 10]);
  image.dispose();
  model.dispose();
});
