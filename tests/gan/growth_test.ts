import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dcganGrowthProblems, DEFAULT_OBJECTIVE } from "../../lib/config.ts";
import { CONDITION_SIZE } from "../../lib/models/dcgan.ts";
import { FadeIn } from "../../lib/models/fade_in.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";
import {
  atFullSize,
  atGeneratorSize,
  growthPhase,
  growTo,
  plainGenerator,
  setFade,
} from "../../lib/gan/growth.ts";
import { disposeNetworks, newNetworks, trainStep } from "../../lib/gan/step.ts";
import { GROWING_SHAPE } from "./generator_fixture.ts";

await tf.setBackend("cpu");

const SHAPE = GROWING_SHAPE;

Deno.test("growthPhase: each smaller size its epochs, each larger one fading in over half as many", () => {
  const poster = { width: 64, height: 96, growFrom: 16, growEpochs: 2 };
  // 4-wide base map: level 2 is 16x24, 4 the full 64x96; 100 steps an epoch, 200 a size.
  assert.deepEqual(growthPhase(poster, 100, 0), { level: 2, alpha: 1 });
  assert.deepEqual(growthPhase(poster, 100, 199), { level: 2, alpha: 1 });
  assert.deepEqual(growthPhase(poster, 100, 200), { level: 3, alpha: 0.01 });
  assert.deepEqual(growthPhase(poster, 100, 249), { level: 3, alpha: 0.5 });
  assert.deepEqual(growthPhase(poster, 100, 299), { level: 3, alpha: 1 });
  assert.deepEqual(growthPhase(poster, 100, 400), { level: 4, alpha: 0.01 });
  assert.deepEqual(growthPhase(poster, 100, 10_000), { level: 4, alpha: 1 });
});

Deno.test("dcganGrowthProblems: a width that halves the full one, and epochs left for the full size", () => {
  assert.deepEqual(dcganGrowthProblems({ width: 64, growFrom: 0 }, 1), []);
  assert.deepEqual(dcganGrowthProblems({ width: 64, growFrom: 16, growEpochs: 2 }, 5), []);
  assert.match(dcganGrowthProblems({ width: 64, growFrom: 24 }, 10)[0].problem, /halves 64.*got 24/);
  assert.match(dcganGrowthProblems({ width: 64, growFrom: 64 }, 10)[0].problem, /got 64/);
  assert.match(dcganGrowthProblems({ width: 64, growFrom: 4 }, 10)[0].problem, /8 or more/);
  // The parts that work at the full size only.
  assert.match(
    dcganGrowthProblems({ width: 64, growFrom: 16, reconstruct: true }, 10, { projected: true })[0].problem,
    /cannot go with the reconstructing discriminator or the projected discriminator/,
  );
  assert.match(
    dcganGrowthProblems({ width: 64, growFrom: 16, style: true }, 10)[0].problem,
    /style generator/,
  );
  assert.deepEqual(dcganGrowthProblems({ width: 64, growFrom: 16, conditioning: "projection" }, 10), []);
  const [short] = dcganGrowthProblems({ width: 64, growFrom: 16, growEpochs: 2 }, 4);
  assert.equal(short.setting, "growEpochs");
  assert.match(short.problem, /2 smaller sizes x 2 must be below the run's 4 epochs/);
});

Deno.test("a growing network works at its level's size, and a new size fades in from the old", () => {
  const nets = newNetworks(SHAPE, 5, DEFAULT_OBJECTIVE);
  try {
    const noise = tf.randomNormal([3, 4], 0, 1, "float32", 1);
    const condition = tf.zeros([3, CONDITION_SIZE]);
    const draw = (model: tf.LayersModel) =>
      model.apply([noise, condition], { training: false }) as tf.Tensor4D;
    const judge = (images: tf.Tensor) =>
      (nets.discriminator.apply([images, condition], { training: false }) as tf.Tensor[])[0];
    const small = draw(nets.generator);
    assert.deepEqual(small.shape, [3, 12, 8, 3]);
    // Seen at the full size, each of its pixels is a 2x2 block.
    const full = draw(atFullSize(nets.generator, SHAPE));
    assert.deepEqual(full.shape, [3, 24, 16, 3]);
    assert.deepEqual(Array.from(tf.avgPool(full, 2, 2, "valid").dataSync()), Array.from(small.dataSync()));
    const smallVerdict = judge(small).dataSync();
    const project = nets.growth!.generator.get("project")!;
    // One step at the small size (real posters pooled to it), then the next size joins: the same layers,
    // fading in from alpha 0.
    const real = tf.randomUniform([3, 24, 16, 3], -1, 1, "float32", 2) as tf.Tensor4D;
    trainStep(nets, atGeneratorSize(real, nets.generator), condition as tf.Tensor2D, 4, 9);
    const trained = draw(atFullSize(nets.generator, SHAPE)).dataSync();
    const trainedVerdict = judge(small).dataSync();
    growTo(nets, SHAPE, 2);
    setFade(nets, 0);
    assert.equal(nets.growth!.generator.get("project"), project);
    assert.ok(nets.generator.layers.includes(project));
    assert.ok(nets.generator.layers.some((layer) => layer instanceof FadeIn));
    assert.equal(atFullSize(nets.generator, SHAPE), nets.generator);
    assert.deepEqual(Array.from(draw(nets.generator).dataSync()), Array.from(trained));
    // The discriminator too: a poster scaled up 2x gets the small size's verdict.
    const smallUp = tf.image.resizeNearestNeighbor(small, [24, 16]);
    assert.deepEqual(Array.from(judge(smallUp).dataSync()), Array.from(trainedVerdict));
    assert.notDeepEqual(Array.from(trainedVerdict), Array.from(smallVerdict));
    // The average grows too, its new layers starting as the generator's.
    assert.equal(nets.average!.weights.length, nets.generator.weights.length);
    // Halfway, and at the end of the fade: the new size's own posters, no longer 2x2 blocks.
    setFade(nets, 1);
    const grown = draw(nets.generator);
    const grownBlocks = tf.image.resizeNearestNeighbor(tf.avgPool(grown, 2, 2, "valid"), [24, 16]);
    assert.ok(tf.abs(grownBlocks.sub(grown)).max().dataSync()[0] > 1e-3);
    // Training goes on at the new size: Adam's moments moved with their variables.
    const losses = trainStep(nets, real, condition as tf.Tensor2D, 4, 10);
    assert.ok(Number.isFinite(losses.dLoss) && Number.isFinite(losses.gLoss));
  } finally {
    disposeNetworks(nets);
  }
});

Deno.test("a growing generator saves and loads with its fade-in's alpha, and is not plain while fading", async () => {
  const nets = newNetworks(SHAPE, 5, DEFAULT_OBJECTIVE);
  const dir = await Deno.makeTempDir();
  try {
    growTo(nets, SHAPE, 2);
    setFade(nets, 0.25);
    await saveModelFiles(nets.generator, dir);
    const loaded = await loadModelFiles(dir);
    const fade = loaded.layers.find((layer) => layer instanceof FadeIn) as FadeIn;
    assert.equal(fade.alpha, 0.25);
    const noise = [tf.randomNormal([2, 4], 0, 1, "float32", 1), tf.zeros([2, CONDITION_SIZE])];
    const a = (nets.generator.predict(noise) as tf.Tensor).dataSync();
    const b = (loaded.predict(noise) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    loaded.dispose();
    // Still fading in, it is no plain full-size network yet.
    assert.throws(() => plainGenerator(nets.generator, SHAPE), /has not grown to 16x24 yet/);
  } finally {
    disposeNetworks(nets);
    await Deno.remove(dir, { recursive: true });
  }
});
