import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { createRmsprop, FusedRmspropOptimizer } from "../../lib/training/rmsprop.ts";

await initBackend("wasm", { log: () => {} });

/** Odd sizes, so no loop that assumes a multiple of 4 or 8 goes unnoticed. */
const SHAPES = [[7, 13], [5], [3, 3, 2, 9], [1], [257, 3]];

function seededValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function makeVariables(tag: string): tf.Variable[] {
  return SHAPES.map((shape, i) =>
    tf.variable(
      tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), 11 + i), shape),
      true,
      `${tag}/w${i}`,
    )
  );
}

/** Step `step`'s gradient of variable `i` (the same for every optimizer under test). */
function gradients(variables: tf.Variable[], step: number): { name: string; tensor: tf.Tensor }[] {
  return variables.map((v, i) => ({
    name: v.name,
    // Scaled per step so the running averages see varied magnitudes, including tiny ones.
    tensor: tf.tensor(seededValues(v.size, 1000 * step + i).map((x) => x * 10 ** (step % 4 - 2)), v.shape),
  }));
}

function step(optimizer: tf.Optimizer, variables: tf.Variable[], index: number): void {
  const grads = gradients(variables, index);
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 1e-6): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync(), e = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(e[i]));
    assert.ok(Math.abs(a[i] - e[i]) <= tolerance * scale, `${what}[${i}]: ${a[i]} vs ${e[i]}`);
  }
}

async function assertSameState(
  fused: tf.Optimizer,
  fusedVariables: tf.Variable[],
  reference: tf.Optimizer,
  referenceVariables: tf.Variable[],
): Promise<void> {
  fusedVariables.forEach((v, i) => assertClose(v, referenceVariables[i], `weight ${i}`));
  const a = await fused.getWeights(), e = await reference.getWeights();
  assert.equal(a.length, e.length);
  assert.equal(a[0].name, "iter");
  assert.equal(a[0].tensor.dataSync()[0], e[0].tensor.dataSync()[0], "iteration count");
  for (let i = 1; i < a.length; i++) {
    // Same names apart from the variables' own prefix: `<variable>/rms`, then `<variable>/momentum`.
    assert.equal(a[i].name.split("/").at(-1), e[i].name.split("/").at(-1));
    assertClose(a[i].tensor, e[i].tensor, a[i].name);
  }
}

for (const momentum of [0, 0.6]) {
  Deno.test(`fused RMSprop (momentum ${momentum}) matches tf.train.rmsprop over several steps`, async () => {
    const fusedVariables = makeVariables(`fused-m${momentum}`);
    const referenceVariables = makeVariables(`reference-m${momentum}`);
    const fused = new FusedRmspropOptimizer(0.01, 0.9, momentum);
    const reference = tf.train.rmsprop(0.01, 0.9, momentum);
    for (let s = 0; s < 6; s++) {
      step(fused, fusedVariables, s);
      step(reference, referenceVariables, s);
    }
    await assertSameState(fused, fusedVariables, reference, referenceVariables);
    // Something moved: the check above is not comparing two untouched copies.
    assert.ok(Math.abs(fusedVariables[0].dataSync()[0] - seededValues(1, 11)[0]) > 1e-3);
    tf.dispose([...fusedVariables, ...referenceVariables]);
    fused.dispose();
    reference.dispose();
  });
}

Deno.test("minimize through a convolution and a matrix product sees the new weights each step", () => {
  // XNNPACK caches packed filters and right operands by tensor id: updating weights in place would
  // leave those copies stale, and the losses would stop matching tfjs's.
  const x = tf.tensor(seededValues(2 * 5 * 6 * 3, 5), [2, 5, 6, 3]);
  const y = tf.tensor(seededValues(2 * 17, 6), [2, 17]);
  const run = (optimizer: tf.Optimizer, tag: string) => {
    const filter = tf.variable(
      tf.tensor(seededValues(3 * 3 * 3 * 4, 7), [3, 3, 3, 4]),
      true,
      `${tag}/filter`,
    );
    const kernel = tf.variable(tf.tensor(seededValues(120 * 17, 8), [120, 17]), true, `${tag}/kernel`);
    const losses: number[] = [];
    for (let s = 0; s < 8; s++) {
      const loss = optimizer.minimize(
        () => {
          const features = tf.relu(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same")).reshape([
            2,
            120,
          ]);
          return tf.losses.meanSquaredError(y, tf.matMul(features, kernel));
        },
        true,
        [filter, kernel],
      )!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    return { weights: [filter, kernel], losses };
  };
  const fused = createRmsprop(0.05), reference = tf.train.rmsprop(0.05);
  const a = run(fused, "fused-mm"), e = run(reference, "reference-mm");
  a.weights.forEach((w, i) => assertClose(w, e.weights[i], `weight ${i}`, 1e-5));
  a.losses.forEach((loss, i) => assert.ok(Math.abs(loss - e.losses[i]) <= 1e-5 * e.losses[i], `loss ${i}`));
  assert.ok(a.losses[7] < a.losses[0], "the loss falls");
  tf.dispose([x, y, ...a.weights, ...e.weights]);
  fused.dispose();
  reference.dispose();
});

/** getWeights → bytes → setWeights, as lib/training/checkpoint.ts saves and loads them. */
async function roundTrip(from: tf.Optimizer, to: tf.Optimizer): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(await from.getWeights());
  const named = tf.io.decodeWeights(data, specs);
  const weights = specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
  await to.setWeights(weights);
  // The trainer frees the loaded tensors: the optimizer must not depend on them afterwards.
  tf.dispose(weights.map((w) => w.tensor));
}

function copyVariables(variables: tf.Variable[], tag: string): tf.Variable[] {
  return variables.map((v, i) => tf.variable(v.clone(), true, `${tag}/w${i}`));
}

Deno.test("a run resumed from saved optimizer weights continues exactly as the uninterrupted one", async () => {
  const straightVariables = makeVariables("straight");
  const straight = createRmsprop(0.01);
  const firstVariables = makeVariables("first");
  const first = createRmsprop(0.01);
  for (let s = 0; s < 3; s++) {
    step(straight, straightVariables, s);
    step(first, firstVariables, s);
  }
  const resumedVariables = copyVariables(firstVariables, "resumed");
  const resumed = createRmsprop(0.01);
  await roundTrip(first, resumed);
  first.dispose();
  for (let s = 3; s < 6; s++) {
    step(straight, straightVariables, s);
    step(resumed, resumedVariables, s);
  }
  await assertSameState(resumed, resumedVariables, straight, straightVariables);
  assert.equal((await resumed.getWeights())[0].tensor.dataSync()[0], 6);
  tf.dispose([...straightVariables, ...firstVariables, ...resumedVariables]);
  straight.dispose();
  resumed.dispose();
});

Deno.test("checkpoints are interchangeable with tfjs's RMSprop in both directions", async () => {
  const tfjsVariables = makeVariables("tfjs-saved");
  const tfjs = tf.train.rmsprop(0.01);
  for (let s = 0; s < 2; s++) step(tfjs, tfjsVariables, s);

  // tfjs → fused: both continue from the same state.
  const fusedVariables = copyVariables(tfjsVariables, "fused-loaded");
  const fused = createRmsprop(0.01);
  await roundTrip(tfjs, fused);
  for (let s = 2; s < 4; s++) {
    step(tfjs, tfjsVariables, s);
    step(fused, fusedVariables, s);
  }
  await assertSameState(fused, fusedVariables, tfjs, tfjsVariables);

  // fused → tfjs: likewise.
  const reloadedVariables = copyVariables(fusedVariables, "tfjs-reloaded");
  const reloaded = tf.train.rmsprop(0.01);
  await roundTrip(fused, reloaded);
  for (let s = 4; s < 6; s++) {
    step(fused, fusedVariables, s);
    step(reloaded, reloadedVariables, s);
  }
  await assertSameState(fused, fusedVariables, reloaded, reloadedVariables);
  tf.dispose([...tfjsVariables, ...fusedVariables, ...reloadedVariables]);
  tfjs.dispose();
  fused.dispose();
  reloaded.dispose();
});

Deno.test("the optimizer's memory: no tensors left behind by a step", () => {
  const variables = makeVariables("leak");
  const optimizer = createRmsprop(0.01);
  step(optimizer, variables, 0); // creates the accumulators
  const before = tf.memory().numTensors;
  for (let s = 1; s < 4; s++) step(optimizer, variables, s);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(variables);
  optimizer.dispose();
});

Deno.test("on the cpu backend it is tfjs's RMSprop", async () => {
  await tf.setBackend("cpu");
  try {
    const fusedVariables = makeVariables("cpu-fused");
    const referenceVariables = makeVariables("cpu-reference");
    const fused = createRmsprop(0.01), reference = tf.train.rmsprop(0.01);
    for (let s = 0; s < 3; s++) {
      step(fused, fusedVariables, s);
      step(reference, referenceVariables, s);
    }
    await assertSameState(fused, fusedVariables, reference, referenceVariables);
    tf.dispose([...fusedVariables, ...referenceVariables]);
    fused.dispose();
    reference.dispose();
  } finally {
    await tf.setBackend("wasm");
  }
});
