/**
 * The DCGAN of Radford et al. (2015) in TensorFlow.js layers, plain or conditional.
 *
 * Images are `width` x `height`, poster-shaped by default (64x96, 2:3).
 * Generator: noise (and, when conditional, genre multi-hot + decade one-hot) → dense to a 4-wide map
 * (4x6 for posters) → upsampling blocks (batch norm, ReLU) doubling both sides up to the image size →
 * tanh RGB in [-1, 1]. Upsampling is resize-then-convolve by default, or the paper's transposed
 * convolutions. Discriminator: strided convs with leaky ReLU (batch norm from the second on, or
 * spectral normalisation throughout) halving the sides down to the 4-wide map → one logit; the
 * conditional one adds a projection of the condition (or takes it as an input channel).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buildStyleGenerator } from "./style_generator.ts";
import { ALL_GENRES, type DcganShape, DEFAULT_DCGAN_SHAPE, type Genre } from "../config.ts";
import { SpectralConv2D, SpectralDense } from "./spectral_norm.ts";
import { FadeIn } from "./fade_in.ts";
import { MinibatchStd } from "./minibatch_std.ts";
import { ResizeConv2D } from "./resize_conv.ts";
import { type Applied, appliedWith } from "./applied_layer.ts";
import { conditionFromLayout, type ConditionLayout } from "./condition_layout.ts";

/** Release decades the conditional model knows, as the first year of each. */
export const DECADES = [1970, 1980, 1990, 2000, 2010] as const;

/** Length of a condition vector: a multi-hot over the 14 genres, then a one-hot over the decades. */
export const CONDITION_SIZE = ALL_GENRES.length + DECADES.length;

/** Image sizes `--size` accepts by name in help texts: the poster's 2:3 at three scales. */
export const POSTER_SIZES = ["32x48", "64x96", "128x192"] as const;

/**
 * Number of stride-2 layers between the smallest feature map (4 wide) and `width` x `height`, and that
 * map's size; throws for a size the networks can't be built for.
 */
export function upsamplingSteps(width: number, height: number = width): {
  steps: number;
  baseWidth: number;
  baseHeight: number;
} {
  const steps = Math.log2(width / 4);
  const baseHeight = height / 2 ** steps;
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(baseHeight) || baseHeight < 4) {
    throw new Error(
      `DCGAN size ${width}x${height} is not supported: the width must be 4 x a power of two (8, 16, 32, ` +
        `64, 128) and the height a multiple of width/4 of at least the width, such as 64x96 (posters) ` +
        `or 64x64.`,
    );
  }
  return { steps, baseWidth: 4, baseHeight };
}

/** Parses `64x96` (width x height) or `64` (square); throws a message naming what is accepted. */
export function parseDcganSize(text: string): { width: number; height: number } {
  const match = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  if (!match) {
    throw new Error(`"${text}" is not a size: use WIDTHxHEIGHT such as ${POSTER_SIZES.join(", ")}.`);
  }
  const width = Number(match[1]);
  const height = match[2] === undefined ? width : Number(match[2]);
  upsamplingSteps(width, height);
  return { width, height };
}

/** `64x96`. */
export function sizeName(shape: { width: number; height: number }): string {
  return `${shape.width}x${shape.height}`;
}

/** Weight init of the paper: N(0, 0.02); each layer gets its own seed so layers don't start equal. */
function initializers(seed: number) {
  let next = seed;
  return {
    init: () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: next++ }),
    seed: () => (next += 2),
  };
}

/** Batch norm as in DCGAN (momentum 0.9 so the moving statistics used when sampling catch up fast). */
const batchNorm = (name: string) => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name });

const applied = appliedWith();

/**
 * Progressive growing (Karras et al. 2018), as one of its networks is built: the networks at `level`
 * (the number of 2x steps above the 4-wide base map that run), fading in from the level below when it
 * is above `fromLevel`, the level training starts at; `layers` holds every layer built so far, by name.
 * A level's networks make and judge posters of its own size, `4·2^level` wide: the small sizes' steps
 * cost what their pixels cost.
 */
export interface GrowthLevel {
  level: number;
  fromLevel: number;
  layers: Map<string, tf.layers.Layer>;
}

/**
 * `generator` (of `shape`, grown to its full size if it grows) rebuilt in the portable layout of
 * {@linkcode GeneratorLayout}, with its weights: what `dcgan:export` ships.
 */
export function portableGenerator(generator: tf.LayersModel, shape: DcganShape): tf.LayersModel {
  const portable = buildGenerator({ ...shape, growFrom: 0 }, undefined, { portable: true });
  for (const layer of portable.layers) {
    if (layer.weights.length > 0) layer.setWeights(generator.getLayer(layer.name).getWeights());
  }
  return portable;
}

/**
 * `shape` with each setting it leaves out at its default, as the networks are built and a run records
 * them; an unconditional discriminator has nothing for a classifier head to predict, so it has none.
 */
export function resolveShape(shape: DcganShape): DcganShape {
  // A setting given as undefined is left out, as one not given at all.
  const given = Object.fromEntries(Object.entries(shape).filter(([, value]) => value !== undefined));
  const full = { ...DEFAULT_DCGAN_SHAPE, ...given } as DcganShape;
  return { ...full, auxiliaryClassifier: shape.conditionSize > 0 && full.auxiliaryClassifier === true };
}

/** How {@linkcode buildGenerator} lays out its layers; the function it computes is the same. */
export interface GeneratorLayout {
  /**
   * Resize-then-convolve as TensorFlow.js's own `upSampling2d` and `conv2d` layers, which any TensorFlow.js
   * (the page's in the browser) loads, instead of one {@linkcode ResizeConv2D} each, which is 2.25x
   * fewer multiplications and trains faster. Their weights are the same and named the same.
   */
  portable?: boolean;
}

/**
 * Builds the generator. Inputs: `noise` [batch, latentDim] (and `condition` [batch, conditionSize]
 * when conditional); output [batch, height, width, 3] in [-1, 1].
 */
export function buildGenerator(
  shape: DcganShape,
  growth?: GrowthLevel,
  layout: GeneratorLayout = {},
): tf.LayersModel {
  const { steps, baseWidth, baseHeight } = upsamplingSteps(shape.width, shape.height);
  const { init } = initializers(shape.seed ?? 1);
  const resolved = resolveShape(shape);
  const applied = appliedWith(growth?.layers);
  const top = growth?.level ?? steps;
  if (growth && resolved.style) throw new Error("The style generator does not grow: drop one of the two.");
  if (resolved.style) {
    if (
      (resolved.fullSizeFilters ?? 0) > 0 || resolved.generatorConditioning === "modulated" ||
      (resolved.generatorFilters ?? 0) > 0
    ) {
      throw new Error(
        "The style generator has no full-size block, no conditional batch norm and no width of its own: " +
          "drop those flags.",
      );
    }
    return buildStyleGenerator({
      ...shape,
      steps,
      baseWidth,
      baseHeight,
      seed: shape.seed ?? 1,
      excite: resolved.skipExcitation ? skipExcitation((shape.seed ?? 1) + 500, applied) : undefined,
    });
  }
  const resize = resolved.upsampling === "resize";
  const noise = tf.input({ shape: [shape.latentDim], name: "noise" });
  const condition = shape.conditionSize > 0
    ? tf.input({ shape: [shape.conditionSize], name: "condition" })
    : undefined;
  const inputs = condition ? [noise, condition] : [noise];
  let x = condition ? applied(tf.layers.concatenate({ name: "noise_and_condition" }))(inputs) : noise;
  // Conditional batch norm: the condition scales (1 + gamma) and shifts (beta) each normalised map, so
  // every layer can make genres differ. Zero-initialised, it starts as plain batch norm.
  const modulate = condition && resolved.generatorConditioning === "modulated"
    ? (features: tf.SymbolicTensor, name: string) => {
      const channels = features.shape.at(-1)!;
      const perChannel = (part: string) =>
        applied(tf.layers.reshape({ targetShape: [1, 1, channels], name: `${name}_${part}_map` }))(
          applied(tf.layers.dense({ units: channels, kernelInitializer: "zeros", name: `${name}_${part}` }))(
            condition,
          ),
        );
      const gamma = perChannel("gamma");
      const scaled = applied(tf.layers.multiply({ name: `${name}_scaled` }))([features, gamma]);
      return applied(tf.layers.add({ name: `${name}_modulated` }))([features, scaled, perChannel("beta")]);
    }
    : (features: tf.SymbolicTensor) => features;
  let channels = (resolved.generatorFilters || shape.filters) * 2 ** (steps - 1);
  x = applied(
    tf.layers.dense({ units: baseHeight * baseWidth * channels, kernelInitializer: init(), name: "project" }),
  )(x);
  x = applied(tf.layers.reshape({ targetShape: [baseHeight, baseWidth, channels], name: "to_base" }))(x);
  x = modulate(applied(batchNorm("project_bn"))(x), "project_bn");
  x = applied(tf.layers.reLU({ name: "project_relu" }))(x);
  // Feature maps by level (0: the base map), the sources of skip-layer excitation.
  const levels: tf.SymbolicTensor[] = [x];
  const excite = resolved.skipExcitation ? skipExcitation((shape.seed ?? 1) + 500, applied) : undefined;
  const fullSize = resolved.fullSizeFilters ?? 0;
  for (let i = 1; i <= top; i++) {
    const side = baseWidth * 2 ** i;
    // The RGB output comes from this block, or from its own convolution after a full-size block.
    const rgb = i === steps && fullSize === 0;
    channels = rgb ? 3 : i === steps ? fullSize : channels / 2;
    // Batch norm's beta replaces the bias, except on the RGB output.
    if (resize) {
      x = resizeThenConvolve(x, channels, `up${side}`, init(), rgb, applied, layout.portable);
    } else {
      x = applied(tf.layers.conv2dTranspose({
        filters: channels,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        kernelInitializer: init(),
        useBias: rgb,
        name: `up${side}`,
      }))(x);
    }
    if (rgb) {
      x = applied(tf.layers.activation({ activation: "tanh", name: "rgb" }))(x);
    } else {
      x = modulate(applied(batchNorm(`up${side}_bn`))(x), `up${side}_bn`);
      x = applied(tf.layers.reLU({ name: `up${side}_relu` }))(x);
      if (excite && i >= 2) x = excite(levels[i - 2], x, side);
      levels.push(x);
    }
  }
  if (fullSize > 0 && top === steps) {
    // Its own seed, so the layers before it start as they would without the block.
    x = applied(tf.layers.conv2d({
      filters: 3,
      kernelSize: 3,
      padding: "same",
      kernelInitializer: initializers((shape.seed ?? 1) + 700).init(),
      name: "to_rgb",
    }))(x);
    x = applied(tf.layers.activation({ activation: "tanh", name: "rgb" }))(x);
  }
  if (growth) x = grownImage(shape, growth, levels, top < steps ? undefined : x, applied);
  return tf.model({ inputs, outputs: x, name: condition ? "conditional_generator" : "generator" });
}

/**
 * A growing generator's image at its level: the level's own RGB (`image` at the full size, else a 1x1
 * convolution of its maps), faded in from the level below's, scaled up, while it joins.
 */
function grownImage(
  shape: DcganShape,
  growth: GrowthLevel,
  levels: tf.SymbolicTensor[],
  image: tf.SymbolicTensor | undefined,
  applied: Applied,
): tf.SymbolicTensor {
  const { baseWidth } = upsamplingSteps(shape.width, shape.height);
  const { level } = growth;
  const side = baseWidth * 2 ** level;
  // Its own seeds, so a level's RGB layer starts the same whenever it is built.
  const toRgb = (at: number) => {
    const { init } = initializers((shape.seed ?? 1) + 800 + at);
    const name = `rgb${baseWidth * 2 ** at}`;
    const rgb = applied(tf.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: init(), name }));
    return applied(tf.layers.activation({ activation: "tanh", name: `${name}_tanh` }))(rgb(levels[at]));
  };
  let x = image ?? toRgb(level);
  if (level > growth.fromLevel) {
    const old = applied(tf.layers.upSampling2d({ size: [2, 2], name: `fade${side}_old_resize` }))(
      toRgb(level - 1),
    );
    x = applied(new FadeIn({ name: `fade${side}` }))([old, x]);
  }
  return x;
}

/**
 * Nearest 2x, then a 3x3 'same' convolution (Odena et al.'s upsampling): one {@linkcode ResizeConv2D}
 * `<name>`, or when `portable` TensorFlow.js's `upSampling2d` (`<name>_resize`) and `conv2d` (`<name>`).
 */
function resizeThenConvolve(
  x: tf.SymbolicTensor,
  filters: number,
  name: string,
  kernelInitializer: ReturnType<typeof tf.initializers.randomNormal>,
  useBias: boolean,
  applied: Applied,
  portable = false,
): tf.SymbolicTensor {
  if (!portable) return applied(new ResizeConv2D({ filters, kernelInitializer, useBias, name }))(x);
  x = applied(tf.layers.upSampling2d({ size: [2, 2], name: `${name}_resize` }))(x);
  return applied(
    tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", kernelInitializer, useBias, name }),
  )(x);
}

/**
 * FastGAN's skip-layer excitation: `(source, target, side)` scales each channel of `target` by a
 * sigmoid gate computed from `source` (a map 4 times smaller, average-pooled to the base map's 4-wide
 * size and read whole by a dense layer, as FastGAN's 4x4 convolution reads its pooled map). Its own
 * seeds, so the generator's other layers start as without it.
 */
function skipExcitation(seed: number, applied: Applied) {
  const { init } = initializers(seed);
  return (source: tf.SymbolicTensor, target: tf.SymbolicTensor, side: number): tf.SymbolicTensor => {
    const name = `sle${side}`;
    const channels = target.shape.at(-1)!;
    const factor = source.shape[2]! / 4;
    let s = factor > 1
      ? applied(tf.layers.averagePooling2d({ poolSize: factor, strides: factor, name: `${name}_pool` }))(
        source,
      )
      : source;
    s = applied(tf.layers.flatten({ name: `${name}_flat` }))(s);
    s = applied(tf.layers.dense({ units: channels, kernelInitializer: init(), name: `${name}_read` }))(s);
    s = applied(tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_act` }))(s);
    s = applied(
      tf.layers.dense({
        units: channels,
        activation: "sigmoid",
        kernelInitializer: init(),
        name: `${name}_gate`,
      }),
    )(s);
    s = applied(tf.layers.reshape({ targetShape: [1, 1, channels], name: `${name}_map` }))(s);
    return applied(tf.layers.multiply({ name: `${name}_excited` }))([target, s]);
  };
}

/**
 * Builds the discriminator. Inputs: `image` [batch, height, width, 3] in [-1, 1] (and `condition`
 * when conditional); output: one real-vs-fake logit per image, [batch, 1], and with
 * `auxiliaryClassifier` a second output, the condition's logits [batch, conditionSize] (genres as
 * independent sigmoids, decades as one softmax; see {@linkcode classifierLoss}). With `reconstruct`, two
 * more outputs follow, its decoders' rebuilt posters (FastGAN): the 8-wide map decoded to 32 wide and the
 * 16-wide map to the full size; {@linkcode verdictModel} is the same network without them.
 *
 * Conditioning `projection` adds `<embed(condition), features>` to the logit (Miyato & Koyama): the
 * discriminator scores how well an image fits its condition, so the generator is pushed to make
 * genres look different. `input` feeds the condition as a fourth image channel (a learned dense
 * plane) and beside the features.
 */
export function buildDiscriminator(shape: DcganShape, growth?: GrowthLevel): tf.LayersModel {
  const { steps } = upsamplingSteps(shape.width, shape.height);
  const ids = initializers((shape.seed ?? 1) + 1000);
  const init = ids.init;
  const resolved = resolveShape(shape);
  const { spectralNorm: spectral, conditioning, auxiliaryClassifier, reconstruct, minibatchStd } = resolved;
  const applied = appliedWith(growth?.layers);
  if (growth && (reconstruct || (shape.conditionSize > 0 && conditioning === "input"))) {
    throw new Error(
      "A growing discriminator takes the condition by projection and rebuilds nothing: drop --reconstruct " +
        "and --conditioning input, or growing.",
    );
  }
  // A growing network's level reads posters of its own size.
  const scale = 2 ** (steps - (growth?.level ?? steps));
  const image = tf.input({ shape: [shape.height / scale, shape.width / scale, 3], name: "image" });
  const condition = shape.conditionSize > 0
    ? tf.input({ shape: [shape.conditionSize], name: "condition" })
    : undefined;
  const dense = (units: number, name: string, useBias = true) =>
    spectral
      ? new SpectralDense({ units, name, useBias, seed: ids.seed() })
      : tf.layers.dense({ units, kernelInitializer: init(), name, useBias });
  let x: tf.SymbolicTensor = image;
  if (condition && conditioning === "input") {
    // The condition as a fourth image channel, learned: cheap compared with tiling all 19 values.
    let plane = applied(tf.layers.dense({
      units: shape.height * shape.width,
      kernelInitializer: init(),
      name: "condition_plane",
    }))(condition);
    plane = applied(
      tf.layers.reshape({ targetShape: [shape.height, shape.width, 1], name: "condition_channel" }),
    )(
      plane,
    );
    x = applied(tf.layers.concatenate({ name: "image_and_condition" }))([image, plane]);
  }
  if (reconstruct && shape.width < 32) {
    throw new Error(
      `A reconstructing discriminator needs posters at least 32 wide (it decodes its 16-wide map); ` +
        `${sizeName(shape)} is too small: drop --reconstruct or use --size 32x48 or larger.`,
    );
  }
  // The maps the decoders read, by width.
  const maps = new Map<number, tf.SymbolicTensor>();
  // A growing network's first block reads a smaller poster, through its level's 1x1 convolution.
  const first = steps - (growth?.level ?? steps) + 1;
  const grown = growth ? grownInput(shape, growth, x, applied) : undefined;
  if (grown) x = grown.image;
  let channels = shape.filters * 2 ** (first - 1);
  for (let i = first; i <= steps; i++) {
    const side = shape.width / 2 ** i;
    const name = `down${side}`;
    if (i === steps && minibatchStd) x = applied(new MinibatchStd({ name: "minibatch_std" }))(x);
    x = applied(
      spectral
        ? new SpectralConv2D({
          filters: channels,
          kernelSize: 4,
          strides: 2,
          useBias: true,
          seed: ids.seed(),
          name,
        })
        : tf.layers.conv2d({
          filters: channels,
          kernelSize: 4,
          strides: 2,
          padding: "same",
          kernelInitializer: init(),
          useBias: i === 1,
          name,
        }),
    )(x);
    if (i > 1 && !spectral) x = applied(batchNorm(`down${side}_bn`))(x);
    x = applied(tf.layers.leakyReLU({ alpha: 0.2, name: `down${side}_lrelu` }))(x);
    if (i === first && grown?.old) x = applied(new FadeIn({ name: `fade${side * 2}` }))([grown.old, x]);
    maps.set(side, x);
    channels *= 2;
  }
  x = applied(tf.layers.flatten({ name: "features" }))(x);
  // AC-GAN's second head reads the image's features only, never the condition it is asked to predict.
  const classifier = condition && auxiliaryClassifier
    ? applied(dense(shape.conditionSize, "classifier"))(x)
    : undefined;
  let logit: tf.SymbolicTensor;
  if (condition && conditioning === "projection") {
    const unconditional = applied(dense(1, "logit"))(x);
    const embedded = applied(dense(x.shape[1]!, "condition_embedding", false))(condition);
    const projected = applied(tf.layers.dot({ axes: 1, name: "projection" }))([x, embedded]);
    logit = applied(tf.layers.add({ name: "logit_and_projection" }))([unconditional, projected]);
  } else {
    if (condition) x = applied(tf.layers.concatenate({ name: "features_and_condition" }))([x, condition]);
    logit = applied(dense(1, "logit"))(x);
  }
  const verdict = classifier ? [logit, classifier] : [logit];
  const decoded = reconstruct
    ? [
      decoder(maps.get(8)!, 2, `${RECONSTRUCTION}_whole`, (shape.seed ?? 1) + 2000),
      decoder(
        maps.get(16)!,
        Math.log2(shape.width / 16),
        `${RECONSTRUCTION}_detail`,
        (shape.seed ?? 1) + 3000,
      ),
    ]
    : [];
  const outputs = [...verdict, ...decoded];
  return tf.model({
    inputs: condition ? [image, condition] : [image],
    outputs: outputs.length === 1 ? outputs[0] : outputs,
    name: condition ? "conditional_discriminator" : "discriminator",
  });
}

/**
 * What a growing discriminator's first block reads at its level: the poster through the level's 1x1
 * convolution to the maps the block above would have given (none at the full size, where the first block
 * reads RGB); and while the level fades in, the old path, the poster average-pooled to half its size
 * through the level below's 1x1 convolution.
 */
function grownInput(
  shape: DcganShape,
  growth: GrowthLevel,
  image: tf.SymbolicTensor,
  applied: Applied,
): { image: tf.SymbolicTensor; old?: tf.SymbolicTensor } {
  const { steps, baseWidth } = upsamplingSteps(shape.width, shape.height);
  // The maps a level's 1x1 convolution gives: what the down block above that level gives.
  const fromRgb = (level: number, x: tf.SymbolicTensor) => {
    // Its own seed, so a level's layer starts the same whenever it is built.
    const seed = (shape.seed ?? 1) + 1800 + level;
    const filters = shape.filters * 2 ** (steps - level - 1);
    const name = `from_rgb${baseWidth * 2 ** level}`;
    const conv = resolveShape(shape).spectralNorm
      ? new SpectralConv2D({ filters, kernelSize: 1, strides: 1, useBias: true, seed, name })
      : tf.layers.conv2d({ filters, kernelSize: 1, kernelInitializer: initializers(seed).init(), name });
    return applied(tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_lrelu` }))(applied(conv)(x));
  };
  const { level } = growth;
  const side = baseWidth * 2 ** level;
  const half = () =>
    applied(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `fade${side}_old_pool` }))(image);
  const old = level > growth.fromLevel ? fromRgb(level - 1, half()) : undefined;
  return { image: level === steps ? image : fromRgb(level, image), old };
}

/** Name prefix of a reconstructing discriminator's decoder outputs. */
const RECONSTRUCTION = "reconstruction";

/**
 * One of FastGAN's decoders, kept small: `levels` times nearest 2x, a 3x3 convolution (32 channels,
 * halving at each level, at least 8), batch norm and ReLU; then a 1x1 convolution to tanh RGB.
 */
function decoder(source: tf.SymbolicTensor, levels: number, name: string, seed: number): tf.SymbolicTensor {
  const { init } = initializers(seed);
  let x = source;
  let channels = 32;
  for (let level = 1; level <= levels; level++) {
    const part = `${name}${level}`;
    x = resizeThenConvolve(x, channels, part, init(), false, applied);
    x = applied(batchNorm(`${part}_bn`))(x);
    x = applied(tf.layers.reLU({ name: `${part}_relu` }))(x);
    channels = Math.max(8, channels / 2);
  }
  x = applied(
    tf.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: init(), name: `${name}_rgb` }),
  )(x);
  return applied(tf.layers.activation({ activation: "tanh", name }))(x);
}

/** How many of a discriminator's outputs are decoders' reconstructions (0 or 2). */
export function reconstructionOutputs(discriminator: tf.LayersModel): number {
  return discriminator.outputNames.filter((name) => name.startsWith(RECONSTRUCTION)).length;
}

const verdictModels = new WeakMap<tf.LayersModel, tf.LayersModel>();

/**
 * The part of a discriminator that judges: the discriminator itself, or for a reconstructing one the
 * same layers without the decoders, for generated posters, which are never rebuilt.
 */
export function verdictModel(discriminator: tf.LayersModel): tf.LayersModel {
  const decoders = reconstructionOutputs(discriminator);
  if (decoders === 0) return discriminator;
  let model = verdictModels.get(discriminator);
  if (!model) {
    const kept = discriminator.outputs.slice(0, discriminator.outputs.length - decoders);
    model = tf.model({
      inputs: discriminator.inputs,
      outputs: kept.length === 1 ? kept[0] : kept,
      name: `${discriminator.name}_verdict`,
    });
    verdictModels.set(discriminator, model);
  }
  return model;
}

/**
 * A conditional discriminator's AC-GAN head as a network of its own: poster ([n, height, width, 3] in
 * [-1, 1]) to condition logits, the layers shared with `discriminator`. Undefined when it has no such
 * head, or when its head reads the condition too (`conditioning: "input"`, which feeds it as a channel).
 */
export function classifierModel(discriminator: tf.LayersModel): tf.LayersModel | undefined {
  const head = discriminator.layers.find((layer) => layer.name === "classifier");
  const image = discriminator.inputs.find((input) => input.name.startsWith("image"));
  if (!head || !image) return undefined;
  try {
    return tf.model({ inputs: image, outputs: head.output as tf.SymbolicTensor, name: "poster_classifier" });
  } catch {
    return undefined; // the head depends on the condition input
  }
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

/** The condition layout of every conditional DCGAN here: the 14 genres, then {@linkcode DECADES}. */
export const CONDITION_LAYOUT: ConditionLayout = { genres: ALL_GENRES, decades: DECADES };

/**
 * The condition vector for genres and a decade: multi-hot over {@linkcode ALL_GENRES}, then one-hot
 * over {@linkcode DECADES}. Genres outside the 14 are ignored (a poster may also be "Fantasy").
 */
export function conditionVector(genres: readonly string[], decade: number): Float32Array {
  return conditionFromLayout(CONDITION_LAYOUT, genres, decade);
}

/** Checks a genre name against the 14, with an error that lists them. */
export function parseGenre(name: string): Genre {
  const genre = ALL_GENRES.find((g) => g.toLowerCase() === name.toLowerCase());
  if (!genre) throw new Error(`Unknown genre "${name}": use one of ${ALL_GENRES.join(", ")}.`);
  return genre;
}

/**
 * AC-GAN's classification loss for condition vectors `conditions` (multi-hot genres, one-hot decade)
 * and the discriminator's classifier logits: the genres' mean sigmoid cross-entropy times
 * `weights.genres` plus the decade's softmax cross-entropy times `weights.decade` (both 1 by default).
 */
export function classifierLoss(
  conditions: tf.Tensor2D,
  logits: tf.Tensor2D,
  weights: { genres: number; decade: number } = { genres: 1, decade: 1 },
): tf.Scalar {
  return tf.tidy(() => {
    const genres = ALL_GENRES.length;
    const decades = conditions.shape[1] - genres;
    const [genreTargets, decadeTargets] = tf.split(conditions, [genres, decades], 1);
    const [genreLogits, decadeLogits] = tf.split(logits, [genres, decades], 1);
    return tf.losses.sigmoidCrossEntropy(genreTargets, genreLogits).mul(weights.genres)
      .add(tf.losses.softmaxCrossEntropy(decadeTargets, decadeLogits).mul(weights.decade)) as tf.Scalar;
  });
}
