import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { createAdam } from "../../lib/training/adam.ts";
import { NATIVE_MISSING } from "../backend/native/native_libs.ts";

const SHAPES = [[7, 13], [5], [3, 3, 2, 9], [1], [257, 3]];

function seeded(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

const variables = (tag: string) =>
  SHAPES.map((shape, i) =>
    tf.variable(tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), 11 + i), shape), true, `${tag}/w${i}`)
  );

function step(optimizer: tf.Optimizer, vars: tf.Variable[], index: number): void {
  const grads = vars.map((v, i) => ({
    name: v.name,
    tensor: tf.tensor(seeded(v.size, 1000 * index + i).map((x) => x * 10 ** (index % 4 - 2)), v.shape),
  }));
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

/** getWeights → bytes → setWeights, as the DCGAN's checkpoints save and load them. */
async function roundTrip(from: tf.Optimizer, to: tf.Optimizer): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(await from.getWeights());
  const named = tf.io.decodeWeights(data, specs);
  const weights = specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
  await to.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor));
}

async function assertSameState(a: tf.Optimizer, aVars: tf.Variable[], e: tf.Optimizer, eVars: tf.Variable[]) {
  aVars.forEach((v, i) => assert.deepEqual(v.dataSync(), eVars[i].dataSync(), `weight ${i}`));
  const [wa, we] = [await a.getWeights(), await e.getWeights()];
  assert.equal(wa.length, we.length);
  wa.forEach((w, i) => {
    assert.equal(w.name.split("/").at(-1), we[i].name.split("/").at(-1));
    assert.deepEqual(w.tensor.dataSync(), we[i].tensor.dataSync(), w.name);
  });
}

for (const backend of ["wasm", "native"] as const) {
  Deno.test({
    name: `fused Adam on ${backend} matches tf.train.adam bit for bit, and checkpoints interchange`,
    ignore: backend === "native" && NATIVE_MISSING !== undefined && !Deno.env.get("CI"),
    fn: async () => {
      await initBackend(backend, { log: () => {} });
      const [fusedVars, tfjsVars] = [variables(`${backend}-fused`), variables(`${backend}-tfjs`)];
      const [fused, tfjs] = [createAdam(0.01, 0.5), tf.train.adam(0.01, 0.5)];
      for (let s = 0; s < 5; s++) {
        step(fused, fusedVars, s);
        step(tfjs, tfjsVars, s);
      }
      await assertSameState(fused, fusedVars, tfjs, tfjsVars);
      assert.ok(Math.abs(fusedVars[0].dataSync()[0] - seeded(1, 11)[0]) > 1e-3, "the weights moved");
      // Resume each from the other's checkpoint: both go on identically.
      const [fromTfjs, fromFused] = [createAdam(0.01, 0.5), tf.train.adam(0.01, 0.5)];
      await roundTrip(tfjs, fromTfjs);
      await roundTrip(fused, fromFused);
      for (let s = 5; s < 8; s++) {
        step(fromTfjs, fusedVars, s);
        step(fromFused, tfjsVars, s);
      }
      await assertSameState(fromTfjs, fusedVars, fromFused, tfjsVars);
      // A schedule's rate of 0 keeps the weights while the moments still take the gradient in.
      fromTfjs.setLearningRate(0);
      assert.equal(fromTfjs.currentLearningRate, 0);
      const [weightsBefore, momentsBefore] = [fusedVars[2].dataSync().slice(), await fromTfjs.getWeights()];
      const firstMoment = momentsBefore[1 + 2].tensor.dataSync().slice();
      step(fromTfjs, fusedVars, 8);
      assert.deepEqual(fusedVars[2].dataSync(), weightsBefore, "no step at rate 0");
      assert.notDeepEqual((await fromTfjs.getWeights())[1 + 2].tensor.dataSync(), firstMoment);
      tf.dispose([...fusedVars, ...tfjsVars]);
      [fused, tfjs, fromTfjs, fromFused].forEach((o) => o.dispose());
    },
  });
}
