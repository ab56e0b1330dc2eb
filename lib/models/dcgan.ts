/**
 * The DCGAN of Radford et al. (2015) in TensorFlow.js layers, plain or conditional.
 *
 * Generator: noise (and, when conditional, genre multi-hot + decade one-hot) → dense to 4x4 →
 * transposed convs (stride 2, batch norm, ReLU) doubling the side up to `size` → tanh RGB in [-1, 1].
 * Discriminator: strided convs with leaky ReLU (batch norm from the second on) halving the side down
 * to 4x4 → one logit. The conditional discriminator sees the condition twice: as an extra image
 * channel (a learned dense projection) and next to the flattened features before the logit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ALL_GENRES, type Genre } from "../config.ts";

/** Release decades the conditional model knows, as the first year of each. */
export const DECADES = [1970, 1980, 1990, 2000, 2010] as const;

/** Length of a condition vector: a multi-hot over the 14 genres, then a one-hot over the decades. */
export const CONDITION_SIZE = ALL_GENRES.length + DECADES.length;

/** How the two networks are built. */
export interface DcganShape {
  /** Side of the square images in pixels: a power of two, 8 or more (32 and 64 are the usual). */
  size: number;
  /** Length of the noise vector. */
  latentDim: number;
  /** Filters of the widest-resolution layer; the others are 2x, 4x, ... this (Radford et al.: 64). */
  filters: number;
  /** Length of the condition vector; 0 builds the plain (unconditional) DCGAN. */
  conditionSize: number;
  /** Seed for the weight initialisers, so two builds start equal. */
  seed?: number;
}

/** Defaults: 64x64, 100-d noise, 64 filters (the paper's), unconditional. */
export const DEFAULT_DCGAN_SHAPE: DcganShape = { size: 64, latentDim: 100, filters: 64, conditionSize: 0 };

/** Number of stride-2 layers between 4x4 and `size`; throws for a size that isn't a power of two ≥ 8. */
export function upsamplingSteps(size: number): number {
  const steps = Math.log2(size / 4);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(
      `DCGAN size ${size} is not supported: use a power of two of 8 or more, such as 32 or 64.`,
    );
  }
  return steps;
}

/** Weight init of the paper: N(0, 0.02); each layer gets its own seed so layers don't start equal. */
function initializers(seed: number) {
  let next = seed;
  return () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: next++ });
}

/** Batch norm as in DCGAN (momentum 0.9 so the moving statistics used when sampling catch up fast). */
const batchNorm = (name: string) => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name });

/**
 * Builds the generator. Inputs: `noise` [batch, latentDim] (and `condition` [batch, conditionSize]
 * when conditional); output [batch, size, size, 3] in [-1, 1].
 */
export function buildGenerator(shape: DcganShape): tf.LayersModel {
  const steps = upsamplingSteps(shape.size);
  const init = initializers(shape.seed ?? 1);
  const noise = tf.input({ shape: [shape.latentDim], name: "noise" });
  const condition = shape.conditionSize > 0
    ? tf.input({ shape: [shape.conditionSize], name: "condition" })
    : undefined;
  const inputs = condition ? [noise, condition] : [noise];
  let x = condition
    ? tf.layers.concatenate({ name: "noise_and_condition" }).apply(inputs) as tf.SymbolicTensor
    : noise;
  let channels = shape.filters * 2 ** (steps - 1);
  x = tf.layers.dense({ units: 4 * 4 * channels, kernelInitializer: init(), name: "project" }).apply(
    x,
  ) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [4, 4, channels], name: "to_4x4" }).apply(x) as tf.SymbolicTensor;
  x = batchNorm("project_bn").apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: "project_relu" }).apply(x) as tf.SymbolicTensor;
  for (let i = 1; i <= steps; i++) {
    const last = i === steps;
    const side = 4 * 2 ** i;
    channels = last ? 3 : channels / 2;
    x = tf.layers.conv2dTranspose({
      filters: channels,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      kernelInitializer: init(),
      useBias: last, // batch norm's beta replaces the bias elsewhere
      name: `up${side}`,
    }).apply(x) as tf.SymbolicTensor;
    if (last) {
      x = tf.layers.activation({ activation: "tanh", name: "rgb" }).apply(x) as tf.SymbolicTensor;
    } else {
      x = batchNorm(`up${side}_bn`).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `up${side}_relu` }).apply(x) as tf.SymbolicTensor;
    }
  }
  return tf.model({ inputs, outputs: x, name: condition ? "conditional_generator" : "generator" });
}

/**
 * Builds the discriminator. Inputs: `image` [batch, size, size, 3] in [-1, 1] (and `condition`
 * when conditional); output: one real-vs-fake logit per image, [batch, 1].
 */
export function buildDiscriminator(shape: DcganShape): tf.LayersModel {
  const steps = upsamplingSteps(shape.size);
  const init = initializers((shape.seed ?? 1) + 1000);
  const image = tf.input({ shape: [shape.size, shape.size, 3], name: "image" });
  const condition = shape.conditionSize > 0
    ? tf.input({ shape: [shape.conditionSize], name: "condition" })
    : undefined;
  let x: tf.SymbolicTensor = image;
  if (condition) {
    // The condition as a fourth image channel, learned: cheap compared with tiling all 19 values.
    let plane = tf.layers.dense({
      units: shape.size * shape.size,
      kernelInitializer: init(),
      name: "condition_plane",
    })
      .apply(condition) as tf.SymbolicTensor;
    plane = tf.layers.reshape({ targetShape: [shape.size, shape.size, 1], name: "condition_channel" })
      .apply(plane) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ name: "image_and_condition" }).apply([image, plane]) as tf.SymbolicTensor;
  }
  let channels = shape.filters;
  for (let i = 1; i <= steps; i++) {
    const side = shape.size / 2 ** i;
    x = tf.layers.conv2d({
      filters: channels,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      kernelInitializer: init(),
      useBias: i === 1,
      name: `down${side}`,
    }).apply(x) as tf.SymbolicTensor;
    if (i > 1) x = batchNorm(`down${side}_bn`).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `down${side}_lrelu` }).apply(x) as tf.SymbolicTensor;
    channels *= 2;
  }
  x = tf.layers.flatten({ name: "features" }).apply(x) as tf.SymbolicTensor;
  if (condition) {
    x = tf.layers.concatenate({ name: "features_and_condition" }).apply([x, condition]) as tf.SymbolicTensor;
  }
  const logit = tf.layers.dense({ units: 1, kernelInitializer: init(), name: "logit" }).apply(
    x,
  ) as tf.SymbolicTensor;
  return tf.model({
    inputs: condition ? [image, condition] : [image],
    outputs: logit,
    name: condition ? "conditional_discriminator" : "discriminator",
  });
}

/** A decade's first year for a release year (1987 → 1980); throws outside {@linkcode DECADES}. */
export function decadeOf(year: number): number {
  const decade = Math.floor(year / 10) * 10;
  if (!(DECADES as readonly number[]).includes(decade)) {
    throw new Error(
      `Year ${year} is outside the decades the conditional DCGAN knows (${DECADES.join(", ")}s).`,
    );
  }
  return decade;
}

/**
 * The condition vector for genres and a decade: multi-hot over {@linkcode ALL_GENRES}, then one-hot
 * over {@linkcode DECADES}. Genres outside the 14 are ignored (a poster may also be "Fantasy").
 */
export function conditionVector(genres: readonly string[], decade: number): Float32Array {
  const vector = new Float32Array(CONDITION_SIZE);
  for (const genre of genres) {
    const index = ALL_GENRES.indexOf(genre as Genre);
    if (index >= 0) vector[index] = 1;
  }
  const decadeIndex = DECADES.indexOf(decadeOf(decade) as typeof DECADES[number]);
  vector[ALL_GENRES.length + decadeIndex] = 1;
  return vector;
}

/** Checks a genre name against the 14, with an error that lists them. */
export function parseGenre(name: string): Genre {
  const genre = ALL_GENRES.find((g) => g.toLowerCase() === name.toLowerCase());
  if (!genre) throw new Error(`Unknown genre "${name}": use one of ${ALL_GENRES.join(", ")}.`);
  return genre;
}
