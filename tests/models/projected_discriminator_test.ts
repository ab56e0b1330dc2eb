import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { newNetworks, trainStep } from "../../lib/gan/step.ts";
import { DEFAULT_OBJECTIVE } from "../../lib/config.ts";
import { CONDITION_SIZE, conditionVector } from "../../lib/models/dcgan.ts";
import {
  buildProjectedHeads,
  loadPretrainedMaps,
  PROJECTED_LAYERS,
  projectedLogits,
} from "../../lib/models/projected_discriminator.ts";

await initBackend("wasm", { log: () => {} });

Deno.test("loadPretrainedMaps: MobileNetV2's maps at strides 4, 8, 16 and 32, frozen", async () => {
  const maps = await loadPretrainedMaps({ width: 64, height: 96 });
  try {
    assert.equal(maps.trainableWeights.length, 0);
    assert.deepEqual(maps.outputs.map((o) => o.shape), [
      [null, 24, 16, 24],
      [null, 12, 8, 32],
      [null, 6, 4, 96],
      [null, 3, 2, 160],
    ]);
    assert.equal(maps.outputs.length, PROJECTED_LAYERS.length);
  } finally {
    maps.dispose();
  }
});

Deno.test("buildProjectedHeads: a logit per scale; the random channel mixing never trains", async () => {
  const maps = await loadPretrainedMaps({ width: 64, height: 96 });
  const heads = buildProjectedHeads(maps, CONDITION_SIZE, 1);
  try {
    const images = tf.randomUniform([3, 96, 64, 3], -1, 1, "float32", 1);
    const conditions = tf.tensor2d(
      [0, 1, 2].map((i) => Array.from(conditionVector(["Drama"], 1980 + 10 * i))),
    );
    const logits = projectedLogits(maps, heads, images, conditions);
    assert.deepEqual(logits.shape, [3, 4]);
    assert.ok(Array.from(logits.dataSync()).every(Number.isFinite));
    const mixing = heads.layers.filter((l) => l.name.endsWith("_mixing"));
    assert.equal(mixing.length, 4);
    assert.ok(mixing.every((l) => !l.trainable));
    const trained = new Set(heads.trainableWeights.map((w) => w.originalName));
    assert.ok(mixing.every((l) => l.weights.every((w) => !trained.has(w.originalName))));
    assert.ok(trained.size > 0);
    tf.dispose([images, conditions, logits]);
  } finally {
    heads.dispose();
    maps.dispose();
  }
});

Deno.test("trainStep with the projected discriminator: its heads and the generator learn, the frozen maps stay, no tensor left behind", async () => {
  const shape = { width: 32, height: 48, latentDim: 8, filters: 4, conditionSize: CONDITION_SIZE };
  const objective = { ...DEFAULT_OBJECTIVE, projected: true };
  assert.throws(() => newNetworks(shape, 3, objective), /needs the pretrained maps/);
  const maps = await loadPretrainedMaps(shape);
  const nets = newNetworks(shape, 3, objective, undefined, maps);
  const real = tf.randomUniform([4, 48, 32, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const conditions = tf.tensor2d(
    [0, 1, 2, 3].map((i) => Array.from(conditionVector(["Drama"], 1980 + 10 * (i % 3)))),
  );
  const values = (model: tf.LayersModel) => model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  const moved = (a: Float32Array[], b: Float32Array[]) => a.some((w, k) => w.some((v, j) => v !== b[k][j]));
  const before = {
    heads: values(nets.projected!.heads),
    maps: values(maps),
    generator: values(nets.generator),
  };
  const first = trainStep(nets, real, conditions, 8, 0, objective);
  assert.ok([first.dLoss, first.gLoss].every(Number.isFinite));
  const tensors = tf.memory().numTensors;
  trainStep(nets, real, conditions, 8, 1, objective);
  assert.equal(tf.memory().numTensors, tensors);
  assert.ok(moved(before.heads, values(nets.projected!.heads)), "the heads trained");
  assert.ok(moved(before.generator, values(nets.generator)), "the generator trained");
  assert.ok(!moved(before.maps, values(maps)), "the pretrained network is frozen");
  // Its verdict joins both losses: the same step without it gives other losses.
  const plain = newNetworks(shape, 3, DEFAULT_OBJECTIVE);
  const without = trainStep(plain, real, conditions, 8, 0, DEFAULT_OBJECTIVE);
  assert.ok(Math.abs(without.dLoss - first.dLoss) > 0.1, `${without.dLoss} ${first.dLoss}`);
  for (const net of [plain.generator, plain.discriminator, plain.average]) net?.dispose();
  tf.dispose([real, conditions]);
});
