import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { AdamWOptimizer, decays } from "../../lib/training/adamw.ts";

await tf.setBackend("cpu");

function variables(tag: string): tf.Variable[] {
  return [
    tf.variable(tf.tensor([[0.5, -1], [2, 0.25]]), true, `${tag}/dense/kernel`),
    tf.variable(tf.tensor([0.3, -0.7]), true, `${tag}/dense/bias`),
  ];
}

function gradients(vars: tf.Variable[], step: number) {
  return vars.map((v, i) => ({
    name: v.name,
    tensor: tf.mul(tf.onesLike(v), (i + 1) * 0.1 * (step % 2 ? -1 : 1) + step * 0.01),
  }));
}

Deno.test("decays: conv and dense kernels only", () => {
  assert.ok(decays("conv2d_Conv2D1/kernel"));
  assert.ok(decays("conv2d_Conv2D1/kernel_2"), "a model loaded beside one with the same names");
  assert.ok(!decays("conv2d_Conv2D1/bias"));
  assert.ok(!decays("batch_normalization_BatchNormalization1/gamma"));
});

Deno.test("AdamW with no weight decay is tfjs's Adam", () => {
  const ours = variables("a"), theirs = variables("b");
  const adamw = new AdamWOptimizer(0.01, 0);
  const adam = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  for (let step = 0; step < 5; step++) {
    adamw.applyGradients(gradients(ours, step));
    adam.applyGradients(gradients(theirs, step).map((g, i) => ({ ...g, name: theirs[i].name })));
  }
  for (let i = 0; i < ours.length; i++) {
    const [a, b] = [ours[i].dataSync(), theirs[i].dataSync()];
    a.forEach((x, j) => assert.ok(Math.abs(x - b[j]) < 1e-6, `${x} vs ${b[j]}`));
  }
});

Deno.test("AdamW decays kernels by lr·λ per step, decoupled from the gradient; biases don't decay", () => {
  const vars = variables("c");
  const before = vars.map((v) => Array.from(v.dataSync()));
  const optimizer = new AdamWOptimizer(0.1, 0.5);
  // Zero gradients: Adam moves nothing, so only the decay acts.
  optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) })));
  assert.deepEqual(
    Array.from(vars[0].dataSync()).map((x) => +x.toFixed(6)),
    before[0].map((x) => +(x * 0.95).toFixed(6)),
  );
  assert.deepEqual(Array.from(vars[1].dataSync()), before[1].map(Math.fround));
  optimizer.setLearningRate(0.2);
  assert.equal(optimizer.currentLearningRate, 0.2);
  optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) })));
  assert.ok(Math.abs(vars[0].dataSync()[0] - 0.5 * 0.95 * 0.9) < 1e-6);
});

Deno.test("AdamW state round-trips through getWeights/setWeights (what checkpoints store)", async () => {
  const straight = variables("d"), resumed = variables("e");
  const first = new AdamWOptimizer(0.05, 0.1);
  for (let step = 0; step < 3; step++) first.applyGradients(gradients(straight, step));
  // The resumed run: same steps, its state saved after step 2 and loaded into a new optimizer.
  const before = new AdamWOptimizer(0.05, 0.1);
  for (let step = 0; step < 2; step++) before.applyGradients(gradients(resumed, step));
  const state = await before.getWeights();
  const after = new AdamWOptimizer(0.05, 0.1);
  await after.setWeights(state.map((w) => ({ name: w.name.replace("e/", "e/"), tensor: w.tensor.clone() })));
  after.applyGradients(gradients(resumed, 2));
  for (let i = 0; i < straight.length; i++) {
    const [a, b] = [straight[i].dataSync(), resumed[i].dataSync()];
    a.forEach((x, j) => assert.ok(Math.abs(x - b[j]) < 1e-6, `${x} vs ${b[j]}`));
  }
});
