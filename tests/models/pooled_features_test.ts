import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { pooledFeatures } from "../../lib/models/pooled_features.ts";
import { loadFeatureExtractor } from "../../lib/models/feature_branch.ts";
import { INCEPTION_V3_BRANCH_BLOCKS, loadInceptionV3 } from "../../lib/models/inception_v3.ts";
import { loadMobileNetV2Features, MOBILENET_V2_FEATURES } from "../../lib/models/mobilenet_v2.ts";

await initBackend("wasm", { log: () => {} });

/** A small network whose layer names are the same every time: conv, batch norm, ReLU, twice. */
function smallNetwork(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [12, 10, 3], name: "image" });
  let x: tf.SymbolicTensor = input;
  for (const [k, filters] of [[1, 4], [2, 6]]) {
    x = tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: "same",
      useBias: k === 2,
      name: `conv${k}`,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }),
    }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${k}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${k}`, maxValue: k === 1 ? 6 : undefined }).apply(x) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: input, outputs: x });
  // Moving statistics and scales far from 0 and 1, so an unfolded or wrongly folded norm shows.
  for (const k of [1, 2]) {
    const n = model.getLayer(`bn${k}`).getWeights()[0].shape[0]; // the variables' own values: not disposed
    model.getLayer(`bn${k}`).setWeights([
      tf.randomUniform([n], 0.5, 2, "float32", seed),
      tf.randomUniform([n], -1, 1, "float32", seed + 1),
      tf.randomUniform([n], -0.5, 0.5, "float32", seed + 2),
      tf.randomUniform([n], 0.5, 3, "float32", seed + 3),
    ]);
  }
  return model;
}

/** Each named layer's output of `network`, averaged over the map, side by side per image. */
function layerMeans(network: tf.LayersModel, layers: string[], x: tf.Tensor): tf.Tensor2D {
  const outputs = layers.map((name) => network.getLayer(name).output as tf.SymbolicTensor);
  const probe = tf.model({ inputs: network.inputs, outputs });
  const maps = probe.predict(x);
  return tf.concat((Array.isArray(maps) ? maps : [maps]).map((m) => m.mean([1, 2])), 1) as tf.Tensor2D;
}

function largestDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

Deno.test("pooledFeatures: two networks with the same layer names, folded, give their layers' means side by side", async () => {
  const [first, second] = [smallNetwork(1), smallNetwork(7)];
  const extractor = await pooledFeatures(
    [
      { network: first, layers: ["relu2"] },
      { network: second, layers: ["relu1", "relu2"], prefix: "second_" },
    ],
    { height: 12, width: 10 },
    "features",
  );
  assert.equal(extractor.trainable, false);
  assert.equal(extractor.layers.filter((l) => l.getClassName() === "BatchNormalization").length, 0, "folded");
  const x = tf.randomUniform([3, 12, 10, 3], 0, 1, "float32", 3);
  const ours = extractor.predict(x) as tf.Tensor;
  const theirs = tf.concat([layerMeans(first, ["relu2"], x), layerMeans(second, ["relu1", "relu2"], x)], 1);
  assert.deepEqual(ours.shape, [3, 6 + 4 + 6]);
  assert.ok(largestDifference(ours, theirs) < 1e-5, `largest difference ${largestDifference(ours, theirs)}`);

  // Another poster size: the same layers, rebuilt.
  const larger = await pooledFeatures(
    [{ network: first, layers: ["relu2"] }],
    { height: 30, width: 20 },
    "f",
  );
  assert.deepEqual((larger.predict(tf.zeros([2, 30, 20, 3])) as tf.Tensor).shape, [2, 6]);
  await assert.rejects(
    pooledFeatures([{ network: first, layers: ["relu9"] }], { height: 12, width: 10 }, "f"),
    /has no layer relu9/,
  );
  tf.dispose([x, ours, theirs]);
  [first, second, extractor, larger].forEach((m) => m.dispose());
});

Deno.test("the branch's two networks: MobileNetV2's features, then InceptionV3's blocks mixed4-7 averaged", async () => {
  const x = tf.randomUniform([2, 299, 299, 3], 0, 1, "float32", 5);
  const extractor = await loadFeatureExtractor({ height: 299, width: 299 }, "mobilenet_v2+inception_v3");
  const ours = extractor.predict(x) as tf.Tensor;
  assert.deepEqual(ours.shape, [2, MOBILENET_V2_FEATURES + 4 * 768]);

  const mobileNet = await loadMobileNetV2Features({ height: 299, width: 299 });
  const inception = await loadInceptionV3();
  const theirs = tf.concat([
    mobileNet.predict(x) as tf.Tensor,
    layerMeans(inception, [...INCEPTION_V3_BRANCH_BLOCKS], x),
  ], 1);
  const scale = tf.tidy(() => theirs.abs().max().dataSync()[0]);
  const worst = largestDifference(ours, theirs);
  assert.ok(worst < 1e-4 * Math.max(1, scale), `largest difference ${worst} (largest feature ${scale})`);

  await assert.rejects(
    loadFeatureExtractor({ height: 80, width: 55 }, "mobilenet_v2+inception_v3"),
    /InceptionV3 needs posters of at least 75 pixels a side, got 55x80/,
  );
  tf.dispose([x, ours, theirs]);
  [extractor, mobileNet, inception].forEach((m) => m.dispose());
});
