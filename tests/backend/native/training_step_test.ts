import * as tf from "@tensorflow/tfjs";
import { AdamWOptimizer } from "../../../lib/training/adamw.ts";
import { initBackend } from "../../../lib/backend/select.ts";
import { type BackendName, DEFAULT_OBJECTIVE } from "../../../lib/config.ts";
import { augment } from "../../../lib/gan/augment.ts";
import { newNetworks, trainStep } from "../../../lib/gan/step.ts";
import { buildGenreCnn } from "../../../lib/models/cnn.ts";
import { createRmsprop } from "../../../lib/training/rmsprop.ts";
import { assertClose } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

const STEPS = 3;

/**
 * Losses of STEPS training steps of the genre CNN (ratio 30, batch 4) on `backend`: v1 (seeded
 * dropout, RMSprop) or v4 (batch norm, AdamW, no dropout so both backends see the same network).
 */
async function cnnLosses(backend: BackendName, version: 1 | 4 = 1): Promise<Float32Array> {
  await initBackend(backend, { log: () => {} });
  const model = buildGenreCnn({ height: 80, width: 55, genres: 7, version, seed: 7, dropout: 0 });
  const optimizer = version === 1 ? createRmsprop(1e-3) : new AdamWOptimizer(3e-3, 0.05);
  model.compile({ optimizer, loss: "binaryCrossentropy" });
  const x = tf.randomUniform([4, 80, 55, 3], 0, 1, "float32", 1);
  const y = tf.randomUniform([4, 7], 0, 1, "float32", 2).round();
  const losses = new Float32Array(STEPS);
  for (let i = 0; i < STEPS; i++) losses[i] = (await model.trainOnBatch(x, y)) as number;
  tf.dispose([x, y]);
  model.dispose();
  return losses;
}

/**
 * Discriminator and generator losses of DCGAN_STEPS steps. Two: the second step's losses already
 * depend on one update of both networks. Later steps drift apart by ~1e-3 on either backend pair,
 * because Adam's first updates are about lr·sign(gradient), and a gradient within float noise of 0
 * can flip sign. Without DiffAugment, whose random shifts and blanks multiply that drift (its own
 * kernels are compared below, in one pass).
 */
const DCGAN_STEPS = 2;
const PLAIN_OBJECTIVE = { ...DEFAULT_OBJECTIVE, augment: [] };

/** Discriminator and generator losses of DCGAN_STEPS DCGAN steps (64x64, 32 filters, batch 4) on `backend`. */
async function dcganLosses(
  backend: BackendName,
  upsampling: "transposed" | "resize" = "transposed",
): Promise<Float32Array> {
  await initBackend(backend, { log: () => {} });
  const shape = {
    width: 64,
    height: 64,
    latentDim: 100,
    filters: 32,
    conditionSize: 0,
    upsampling,
    seed: 3,
  };
  const nets = newNetworks(shape, shape.seed, { ...PLAIN_OBJECTIVE, averageDecay: 0 });
  const real = tf.randomUniform([4, 64, 64, 3], -1, 1, "float32", 5) as tf.Tensor4D;
  const losses = new Float32Array(2 * DCGAN_STEPS);
  for (let i = 0; i < DCGAN_STEPS; i++) {
    const step = trainStep(nets, real, undefined, shape.latentDim, 100 + i, PLAIN_OBJECTIVE);
    losses.set([step.dLoss, step.gLoss], 2 * i);
  }
  real.dispose();
  nets.generator.dispose();
  nets.discriminator.dispose();
  return losses;
}

nativeTest("genre CNN training steps give the same losses on native as on wasm", async () => {
  const wasm = await cnnLosses("wasm");
  const native = await cnnLosses("native");
  assertClose(native, wasm, 1e-4, "CNN losses (native vs wasm)");
});

nativeTest(
  "genre CNN v4 (batch norm, AdamW) training steps give the same losses on native as on wasm",
  async () => {
    const wasm = await cnnLosses("wasm", 4);
    const native = await cnnLosses("native", 4);
    assertClose(native, wasm, 1e-4, "CNN v4 losses (native vs wasm)");
  },
);

nativeTest("DCGAN training steps give the same losses on native as on wasm", async () => {
  const wasm = await dcganLosses("wasm");
  const native = await dcganLosses("native");
  assertClose(native, wasm, 1e-4, "DCGAN losses (native vs wasm)");
});

nativeTest(
  "DCGAN training steps with resize-then-convolve upsampling give the same losses on native as on wasm",
  async () => {
    const wasm = await dcganLosses("wasm", "resize");
    const native = await dcganLosses("native", "resize");
    assertClose(native, wasm, 1e-4, "DCGAN (resize) losses (native vs wasm)");
  },
);

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
