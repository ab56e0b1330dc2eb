import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/backend/select.ts";
import { type BackendName, DEFAULT_OBJECTIVE } from "../../../lib/config.ts";
import { augment } from "../../../lib/gan/augment.ts";
import { newNetworks, trainStep } from "../../../lib/gan/step.ts";
import { buildGenreCnn } from "../../../lib/models/cnn.ts";
import { FusedAdamOptimizer } from "../../../lib/training/adam.ts";
import { assertClose } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

/**
 * What these tests compare: the losses and every gradient of one training step, the genre CNN's and
 * the DCGAN's, on native against wasm. Not the weights after several steps: RMSprop's, Adam's and
 * AdamW's first updates are about lr·sign(gradient), so a gradient component within rounding of 0 moves
 * its weight by +lr on one backend and -lr on the other, and later losses differ by far more than
 * rounding (by 5e-4 on an AVX2 machine, where oneDNN and OpenBLAS sum in another order than on an
 * AVX-512 one). The optimizers' own kernels are compared with the cpu backend in optimizer_steps_test.ts.
 *
 * Tolerances: a loss is a float32 sum of a few thousand products, so 1e-4 relative. Gradients are
 * compared against the largest gradient of the whole network, not each against itself: some are
 * sums that cancel to nearly 0 (a bias before a batch norm has a true gradient of exactly 0), and
 * their rounding is relative to the terms summed, whose size the network's gradients show. Native
 * batch norm (oneDNN) orders its sums otherwise than tfjs's composite ops: through the generator's four
 * batch-norm layers its first layers' gradients differ from wasm's by up to ~2e-3 of the largest (the
 * same with AVX2 and AVX-512 kernels), where wasm and cpu, sharing tfjs's formulas, agree to 1e-6. So
 * 1e-2: a wrong kernel is off by far more (a sign, an index, a missing term).
 */

/** An optimizer that applies nothing and keeps a copy of the gradients it is handed, by variable. */
class RecordingOptimizer extends FusedAdamOptimizer {
  readonly gradients: Float32Array[] = [];
  constructor() {
    super(0, 0.5, 0.999);
  }
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.tensor)
      : Object.values(variableGradients) as tf.Tensor[];
    for (const g of list) this.gradients.push(g.dataSync() as Float32Array);
  }
}

/** Asserts two networks' gradients agree within 1e-2 of the largest magnitude among them. */
function assertGradientsClose(actual: Float32Array[], expected: Float32Array[], label: string): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: ${actual.length} vs ${expected.length} gradients`);
  }
  const scale = expected.reduce((m, g) => g.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
  if (!(scale > 0)) throw new Error(`${label}: every gradient is 0, so nothing is compared`);
  expected.forEach((g, k) => {
    const [a, e] = [actual[k].map((v) => v / scale), g.map((v) => v / scale)];
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= 1e-2)) {
        throw new Error(`${label}: gradient ${k}[${i}] is ${a[i]} vs ${e[i]} of the largest gradient`);
      }
    }
  });
}

/**
 * The loss and gradients of one training step of the genre CNN (ratio 30, batch 4) on `backend`: v1
 * or v4 (batch norm; no dropout, so both backends see the same network).
 */
async function cnnStep(backend: BackendName, version: 1 | 4 = 1) {
  await initBackend(backend, { log: () => {} });
  const model = buildGenreCnn({ height: 80, width: 55, genres: 7, version, seed: 7, dropout: 0 });
  const optimizer = new RecordingOptimizer();
  model.compile({ optimizer, loss: "binaryCrossentropy" });
  const x = tf.randomUniform([4, 80, 55, 3], 0, 1, "float32", 1);
  const y = tf.randomUniform([4, 7], 0, 1, "float32", 2).round();
  const loss = Float32Array.of((await model.trainOnBatch(x, y)) as number);
  tf.dispose([x, y]);
  model.dispose();
  return { loss, gradients: optimizer.gradients };
}

/** DiffAugment's random shifts and blanks are compared on their own, below. */
const PLAIN_OBJECTIVE = { ...DEFAULT_OBJECTIVE, augment: [] };

/**
 * The losses (discriminator's, generator's, and D's mean outputs) and the gradients of both networks
 * in one DCGAN step (64x64, 32 filters, batch 4) on `backend`.
 */
async function dcganStep(backend: BackendName, upsampling: "transposed" | "resize" = "transposed") {
  await initBackend(backend, { log: () => {} });
  const shape = { width: 64, height: 64, latentDim: 100, filters: 32, conditionSize: 0, upsampling, seed: 3 };
  const [discriminator, generator] = [new RecordingOptimizer(), new RecordingOptimizer()];
  const nets = {
    ...newNetworks(shape, shape.seed, { ...PLAIN_OBJECTIVE, averageDecay: 0 }),
    generatorOptimizer: generator,
    discriminatorOptimizer: discriminator,
  };
  const real = tf.randomUniform([4, 64, 64, 3], -1, 1, "float32", 5) as tf.Tensor4D;
  const step = trainStep(nets, real, undefined, shape.latentDim, 100, PLAIN_OBJECTIVE);
  real.dispose();
  nets.generator.dispose();
  nets.discriminator.dispose();
  return {
    losses: Float32Array.of(step.dLoss, step.gLoss, step.dReal, step.dFake),
    discriminator: discriminator.gradients,
    generator: generator.gradients,
  };
}

nativeTest("a genre CNN training step gives the same loss and gradients on native as on wasm", async () => {
  const [wasm, native] = [await cnnStep("wasm"), await cnnStep("native")];
  assertClose(native.loss, wasm.loss, 1e-4, "CNN loss (native vs wasm)");
  assertGradientsClose(native.gradients, wasm.gradients, "CNN (native vs wasm)");
});

nativeTest(
  "a genre CNN v4 (batch norm) training step gives the same loss and gradients on native as on wasm",
  async () => {
    const [wasm, native] = [await cnnStep("wasm", 4), await cnnStep("native", 4)];
    assertClose(native.loss, wasm.loss, 1e-4, "CNN v4 loss (native vs wasm)");
    assertGradientsClose(native.gradients, wasm.gradients, "CNN v4 (native vs wasm)");
  },
);

for (const upsampling of ["transposed", "resize"] as const) {
  nativeTest(
    `a DCGAN training step (${upsampling} upsampling) gives the same losses and gradients on native as on wasm`,
    async () => {
      const [wasm, native] = [await dcganStep("wasm", upsampling), await dcganStep("native", upsampling)];
      assertClose(native.losses, wasm.losses, 1e-4, `DCGAN ${upsampling} losses (native vs wasm)`);
      assertGradientsClose(
        native.discriminator,
        wasm.discriminator,
        `discriminator, ${upsampling} (native vs wasm)`,
      );
      assertGradientsClose(native.generator, wasm.generator, `generator, ${upsampling} (native vs wasm)`);
    },
  );
}

/** DiffAugment of a batch of 64x96 posters, and the gradient of a loss through it, on `backend`. */
async function augmented(backend: BackendName): Promise<Float32Array[]> {
  await initBackend(backend, { log: () => {} });
  const images = tf.randomUniform([8, 96, 64, 3], -1, 1, "float32", 6) as tf.Tensor4D;
  const policy = ["color", "translation", "cutout"] as const;
  const loss = (x: tf.Tensor) => augment(x as tf.Tensor4D, policy, 13).square().mean() as tf.Scalar;
  const [seen, gradient] = [augment(images, policy, 13), tf.grad(loss)(images)];
  const out = [seen.dataSync() as Float32Array, gradient.dataSync() as Float32Array];
  tf.dispose([images, seen, gradient]);
  return out;
}

nativeTest("DiffAugment and its gradient are the same on native as on wasm", async () => {
  const [wasm, native] = [await augmented("wasm"), await augmented("native")];
  assertClose(native[0], wasm[0], 1e-5, "augmented posters (native vs wasm)");
  assertClose(native[1], wasm[1], 1e-5, "gradient through DiffAugment (native vs wasm)");
});
