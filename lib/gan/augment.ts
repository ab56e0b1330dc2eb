/**
 * Differentiable augmentation (Zhao et al., 2020, "DiffAugment"): every image the discriminator sees,
 * real or generated, is randomly recoloured, shifted and partly blanked, and the generator's gradient
 * flows back through the same transforms. With a few thousand posters the discriminator otherwise
 * learns the training posters by heart within tens of epochs and its gradient stops teaching the
 * generator; augmenting both sides keeps it looking at what posters have in common, while the
 * generator is never asked to draw shifted or blanked posters (it only ever sees them through `T`).
 *
 * Images are [batch, height, width, 3] in [-1, 1]. Each transform draws per-image parameters from a
 * seeded generator, so a step's augmentation repeats exactly when a run resumes.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { augment } from "./augment.ts";
 * const images = tf.zeros([4, 96, 64, 3]) as tf.Tensor4D;
 * const seen = augment(images, ["color", "translation", "cutout"], 7);
 * console.log(seen.shape); // [4, 96, 64, 3]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Augmentation } from "../config.ts";
import { seededRandom } from "../util/random.ts";
import { shiftImages } from "../backend/shift_images.ts";

/** The transforms `--augment` accepts, in the order they are applied. */
export const AUGMENTATIONS: readonly Augmentation[] = ["color", "translation", "cutout"];

/** Largest shift, as a share of each side (the paper's 1/8). */
const TRANSLATION_SHARE = 1 / 8;
/** Side of the blanked rectangle, as a share of each side (the paper's 1/2). */
const CUTOUT_SHARE = 1 / 2;

/** Applies the `policy`'s transforms (in {@linkcode AUGMENTATIONS} order) with parameters from `seed`. */
export function augment(images: tf.Tensor4D, policy: readonly Augmentation[], seed: number): tf.Tensor4D {
  if (policy.length === 0) return images;
  for (const p of policy) {
    if (!AUGMENTATIONS.includes(p)) {
      throw new Error(`Unknown augmentation "${p}": use ${AUGMENTATIONS.join(", ")}.`);
    }
  }
  const random = seededRandom(seed);
  return tf.tidy(() => {
    let x = images;
    if (policy.includes("color")) x = color(x, random);
    if (policy.includes("translation")) x = translate(x, random);
    if (policy.includes("cutout")) x = cutout(x, random);
    return x;
  });
}

/** `batch` uniforms in [0, 1) from `random`. */
function draws(batch: number, random: () => number): number[] {
  return Array.from({ length: batch }, random);
}

/**
 * Brightness ±0.5, saturation x[0, 2], contrast x[0.5, 1.5], as the paper's `color` policy. The three
 * steps compose to one affine map per image, so it runs as matrix products (fast on every backend)
 * instead of per-image broadcasts and their reductions: with brightness b, saturation s, contrast c and
 * the image's mean m, a pixel x becomes c·x·(s·I + (1 − s)·J/C) + b + (1 − c)·m, because blending
 * toward grey keeps a pixel's channel mean, and so the image's mean, that contrast then pivots on.
 */
function color(x: tf.Tensor4D, random: () => number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const brightness = draws(batch, random).map((u) => u - 0.5);
  const saturation = draws(batch, random).map((u) => u * 2);
  const contrast = draws(batch, random).map((u) => u + 0.5);
  const mixes = new Float32Array(batch * channels * channels);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < channels; i++) {
      for (let j = 0; j < channels; j++) {
        const grey = (1 - saturation[b]) / channels;
        mixes[(b * channels + i) * channels + j] = contrast[b] * (grey + (i === j ? saturation[b] : 0));
      }
    }
  }
  const values = height * width * channels;
  const mixed = tf.matMul(
    x.reshape([batch, height * width, channels]),
    tf.tensor3d(mixes, [batch, channels, channels]),
  );
  const mean = tf.matMul(x.reshape([batch, values]), tf.fill([values, 1], 1 / values));
  const offset = mean.mul(tf.tensor2d(contrast.map((c) => 1 - c), [batch, 1])).add(
    tf.tensor2d(brightness, [batch, 1]),
  );
  const spread = tf.matMul(offset, tf.ones([1, values]));
  return mixed.reshape([batch, values]).add(spread).reshape(x.shape);
}

/** Shifts each image by up to 1/8 of its height and width, filling with zeros (mid-grey). */
function translate(x: tf.Tensor4D, random: () => number): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const shift = (side: number) => {
    const most = Math.floor(side * TRANSLATION_SHARE);
    return Array.from({ length: batch }, () => Math.floor(random() * (2 * most + 1)) - most);
  };
  // Rows first: the draws' order is part of a seed's meaning (a resumed run repeats its steps).
  const rows = shift(height);
  return shiftImages(x, rows, shift(width));
}

/** Blanks (to zero) a rectangle half the height and width of each image, centred anywhere in it. */
function cutout(x: tf.Tensor4D, random: () => number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const cutHeight = Math.round(height * CUTOUT_SHARE);
  const cutWidth = Math.round(width * CUTOUT_SHARE);
  // One mask value per channel too: a same-shape product, which native runs without a broadcast.
  const mask = new Float32Array(batch * height * width * channels).fill(1);
  for (let b = 0; b < batch; b++) {
    const top = Math.floor(random() * height) - Math.floor(cutHeight / 2);
    const left = Math.floor(random() * width) - Math.floor(cutWidth / 2);
    for (let i = Math.max(0, top); i < Math.min(height, top + cutHeight); i++) {
      for (let j = Math.max(0, left); j < Math.min(width, left + cutWidth); j++) {
        mask.fill(
          0,
          ((b * height + i) * width + j) * channels,
          ((b * height + i) * width + j + 1) * channels,
        );
      }
    }
  }
  return x.mul(tf.tensor4d(mask, x.shape));
}
