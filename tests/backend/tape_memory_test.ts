import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installTapeMemorySaver } from "../../lib/backend/tape_memory.ts";
import { imageSize } from "../../lib/config.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import type { ModelVersion } from "../../lib/config.ts";

await tf.setBackend("cpu");

/** One training step's gradients (v1: dropout on, its seeded masks; v4: batch norm, dropout off as unseeded), peak bytes and tensors left after. */
async function step(
  version: ModelVersion,
): Promise<{ grads: Float32Array[]; peakBytes: number; leaked: number }> {
  const { width, height } = imageSize(10);
  const model = buildGenreCnn({ height, width, genres: 7, version, seed: 3, dropout: 0 });
  const x = tf.randomUniform([4, height, width, 3], 0, 1, "float32", 1);
  const y = tf.randomUniform([4, 7], 0, 1, "float32", 2).round();
  const before = tf.memory().numTensors;
  let grads: Float32Array[] = [];
  const info = await tf.profile(() => {
    const { value, grads: byName } = tf.variableGrads(() =>
      tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar
    );
    // In creation order: the names carry a global layer counter, so a sort would pair different layers.
    grads = Object.keys(byName).map((name) => byName[name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(byName)]);
  });
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, y]);
  model.dispose();
  return { grads, peakBytes: info.peakBytes, leaked };
}

for (const version of [1, 4] as const) {
  Deno.test(`tape memory saver: v${version} training step gives the same gradients with a lower peak, no leak`, async () => {
    const plain = await step(version);
    const uninstall = installTapeMemorySaver();
    let saved;
    try {
      saved = await step(version);
    } finally {
      uninstall();
    }
    assert.equal(saved.grads.length, plain.grads.length);
    for (const [k, g] of saved.grads.entries()) assert.deepEqual(g, plain.grads[k], `gradient ${k}`);
    assert.equal(saved.leaked, 0);
    assert.equal(plain.leaked, 0);
    assert.ok(
      saved.peakBytes < 0.85 * plain.peakBytes,
      `peak ${saved.peakBytes} B with the saver against ${plain.peakBytes} B without`,
    );
  });
}

Deno.test("tape memory saver: second-order gradients still work (nothing freed while the tape records)", () => {
  const uninstall = installTapeMemorySaver();
  try {
    // d/dx of d/dx (relu(x)^3) = 6 relu(x) for x > 0.
    const x = tf.tensor1d([-1, 0.5, 2]);
    const second = tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.relu(u).pow(3).sum())(v).sum())(x);
    assert.deepEqual(Array.from(second.dataSync()), [0, 3, 12]);
    tf.dispose([x, second]);
  } finally {
    uninstall();
  }
});

Deno.test("tape memory saver: installing twice is one install, and uninstall restores tfjs's ReLU gradient", () => {
  const original = tf.getGradient(tf.Relu);
  const uninstall = installTapeMemorySaver();
  const again = installTapeMemorySaver();
  assert.notEqual(tf.getGradient(tf.Relu), original);
  again();
  assert.notEqual(tf.getGradient(tf.Relu), original, "the second call's uninstall does nothing");
  uninstall();
  assert.equal(tf.getGradient(tf.Relu), original);
});
