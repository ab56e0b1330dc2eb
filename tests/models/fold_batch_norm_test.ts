import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { foldBatchNorms, type KerasTopology } from "../../lib/models/fold_batch_norm.ts";

await tf.setBackend("cpu");

/** A batch norm with statistics far from the identity, so a wrong fold shows. */
function batchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    epsilon: 1e-3,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 1 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
    movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }),
    movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.2, maxval: 3, seed: 4 }),
  });
}

Deno.test("foldBatchNorms: conv and depthwise batch norms fold to the same outputs; shared ones stay", async () => {
  const input = tf.input({ shape: [9, 7, 3] });
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const conv = tf.layers.conv2d({
    name: "conv",
    filters: 4,
    kernelSize: 3,
    useBias: false,
    kernelInitializer: seeded(5),
  })
    .apply(input) as tf.SymbolicTensor;
  const a = batchNorm("conv_bn").apply(conv) as tf.SymbolicTensor;
  const depthwise = tf.layers.depthwiseConv2d({
    name: "dw",
    kernelSize: 3,
    depthMultiplier: 2,
    padding: "same",
    useBias: true,
    depthwiseInitializer: seeded(6),
    biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 7 }),
  }).apply(tf.layers.activation({ activation: "relu6", name: "act" }).apply(a)) as tf.SymbolicTensor;
  const b = batchNorm("dw_bn").apply(depthwise) as tf.SymbolicTensor;
  // A convolution read twice: its batch norm cannot replace it.
  const shared = tf.layers.conv2d({ name: "shared", filters: 8, kernelSize: 1, kernelInitializer: seeded(8) })
    .apply(b) as tf.SymbolicTensor;
  const c = batchNorm("shared_bn").apply(shared) as tf.SymbolicTensor;
  const out = tf.layers.add({ name: "sum" }).apply([c, shared]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const topology = model.toJSON(undefined, false) as unknown as KerasTopology;
  const folded = foldBatchNorms(topology, (name) => model.getLayer(name).getWeights());
  const names = folded.topology.config.layers.map((l) => l.name);
  assert.deepEqual(names.filter((n) => n.endsWith("_bn")), ["shared_bn"]);
  assert.ok(names.includes("conv") && names.includes("dw"));
  const rebuilt = await tf.models.modelFromJSON(
    { modelTopology: folded.topology as unknown as tf.io.ModelJSON["modelTopology"] } as never,
  );
  for (const [name, weights] of folded.weights) rebuilt.getLayer(name).setWeights(weights);
  const x = tf.randomUniform([2, 9, 7, 3], -1, 1, "float32", 9);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  const actual = (rebuilt.predict(x) as tf.Tensor).dataSync();
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
  assert.ok(expected.some((v) => Math.abs(v) > 0.5), "the outputs are not near zero");
  for (const weights of folded.weights.values()) tf.dispose(weights);
  model.dispose();
  rebuilt.dispose();
});
