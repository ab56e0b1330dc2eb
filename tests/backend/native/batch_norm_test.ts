import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../../../lib/backend/native/batch_norm.ts";
import { initBackend } from "../../../lib/backend/select.ts";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

/**
 * One training-mode batch norm layer (random scale and offset) applied twice to `x`: its output, the
 * gradients of a weighted sum of it for the input, scale and offset, and the moving averages after.
 */
function batchNormResults(shape: number[], seed: number): tf.Tensor[] {
  const layer = tf.layers.batchNormalization({
    momentum: 0.9,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed }),
    betaInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: seed + 1 }),
  });
  const x = randomTensor(shape, seed + 2).mul(3).add(1);
  const weights = randomTensor(shape, seed + 3);
  const loss = (input: tf.Tensor) => (layer.apply(input, { training: true }) as tf.Tensor).mul(weights).sum();
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const dx = tf.grad(loss)(x);
  const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar, variables);
  const [gamma, beta] = variables.map((v) => grads[v.name]);
  const [movingMean, movingVariance] = layer.nonTrainableWeights.map((w) => w.read().clone());
  return [y, dx, gamma, beta, movingMean, movingVariance];
}

// The DCGAN's and the genre CNN's layouts, odd sizes, and the generator's rank-2 batch norm.
const SHAPES = [[2, 32, 32, 32], [3, 7, 5, 4], [2, 80, 55, 32], [5, 96]];

for (const shape of SHAPES) {
  nativeTest(
    `native batch norm in training matches cpu (output, gradients, moving averages): ${shape}`,
    async () => {
      await assertSameOnNative(() => batchNormResults(shape, 11), 1e-4, `batch norm ${shape}`);
    },
  );
}

nativeTest("a training batch norm layer runs the native kernels on native, tfjs's elsewhere", async () => {
  const kernels = async (backend: "native" | "wasm") => {
    await initBackend(backend, { log: () => {} });
    const info = await tf.profile(() => tf.dispose(batchNormResults([2, 8, 8, 16], 3)));
    return new Set(info.kernelNames);
  };
  const native = await kernels("native");
  assert.ok(native.has(BATCH_NORM_TRAINING_KERNEL) && native.has(BATCH_NORM_GRAD_KERNEL), [...native].join());
  assert.ok(!native.has("FusedBatchNorm"), "tfjs's batch norm ran on native");
  const wasm = await kernels("wasm");
  assert.ok(!wasm.has(BATCH_NORM_TRAINING_KERNEL) && wasm.has("FusedBatchNorm"), [...wasm].join());
});
