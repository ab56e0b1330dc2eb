/**
 * Progressive growing (Karras et al. 2018) for the DCGAN: training starts on small posters, and each
 * larger size joins the networks in turn, fading in, until the full size trains. What each step
 * trains is a function of the step alone ({@linkcode growthPhase}), so a resumed run grows as an
 * uninterrupted one does. The networks of every size share their layers (lib/models/dcgan.ts builds them
 * with `GrowthLevel`), so a larger size starts from everything the smaller ones learnt.
 *
 * @example
 * ```ts
 * import { growthPhase } from "./growth.ts";
 * // 64x96 from 16 wide, 2 epochs a size, 100 steps an epoch: step 250 fades in 32x48 (alpha 0.51).
 * const phase = growthPhase({ width: 64, height: 96, growFrom: 16, growEpochs: 2 }, 100, 250);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DcganShape } from "../config.ts";
import { buildDiscriminator, buildGenerator, type GrowthLevel, upsamplingSteps } from "../models/dcgan.ts";
import { FadeIn } from "../models/fade_in.ts";
import { trainableVariables } from "../training/trainable.ts";
import type { GanNetworks } from "./step.ts";

/** What a step of a growing run trains: the networks' level, and the share of its newest size. */
export interface GrowthPhase {
  /** 2x steps above the 4-wide base map that run (the full size: all of them). */
  level: number;
  /** The fade-in's `alpha`: 1 once the level's size has joined. */
  alpha: number;
}

/** The level a growing run starts at, and the full size's. */
export function growthLevels(shape: Pick<DcganShape, "width" | "height" | "growFrom">): {
  fromLevel: number;
  fullLevel: number;
} {
  const { steps } = upsamplingSteps(shape.width, shape.height);
  return { fromLevel: steps - Math.log2(shape.width / shape.growFrom!), fullLevel: steps };
}

/**
 * The phase of step `step` (0-based) of a run of `stepsPerEpoch` steps an epoch: each size trains
 * `growEpochs` epochs, a new one fading in linearly over the first half of them.
 */
export function growthPhase(
  shape: Pick<DcganShape, "width" | "height" | "growFrom" | "growEpochs">,
  stepsPerEpoch: number,
  step: number,
): GrowthPhase {
  const { fromLevel, fullLevel } = growthLevels(shape);
  const span = (shape.growEpochs ?? 2) * stepsPerEpoch;
  const grown = Math.min(fullLevel - fromLevel, Math.floor(step / span));
  if (grown === 0) return { level: fromLevel, alpha: 1 };
  const fade = Math.max(1, Math.round(span / 2));
  return { level: fromLevel + grown, alpha: Math.min(1, (step - grown * span + 1) / fade) };
}

/** The layers of a growing run's networks, by name, and the level they are built at. */
export interface Growth {
  level: number;
  generator: Map<string, tf.layers.Layer>;
  discriminator: Map<string, tf.layers.Layer>;
  /** The weight average's own layers, when the run has one. */
  average?: Map<string, tf.layers.Layer>;
}

/** Every layer of a network but its inputs, by name: what a network loaded from a checkpoint grows from. */
export function layersOf(model: tf.LayersModel): Map<string, tf.layers.Layer> {
  return new Map(
    model.layers.filter((layer) => layer.getClassName() !== "InputLayer").map((layer) => [layer.name, layer]),
  );
}

/** The level a growing generator was built at, from its widest upsampling block (`up<width>`). */
export function builtLevel(generator: tf.LayersModel): number {
  const sides = generator.layers.map((layer) => /^up(\d+)$/.exec(layer.name)?.[1]).filter((s) => s);
  return Math.log2(Math.max(...sides.map(Number)) / 4);
}

/**
 * Makes `nets` train at `level`: networks of that level built from the run's layers (the weight
 * average's new layers start as the generator's), the optimizers' moments moved with their variables,
 * the networks of the level before released (their shared layers stay).
 */
export function growTo(nets: GanNetworks, shape: DcganShape, level: number): void {
  const growth = nets.growth!;
  if (level === growth.level) return;
  const { fromLevel } = growthLevels(shape);
  const at = (layers: Map<string, tf.layers.Layer>): GrowthLevel => ({ level, fromLevel, layers });
  const before = {
    generator: trainableVariables(nets.generator),
    discriminator: trainableVariables(nets.discriminator),
  };
  const generator = buildGenerator(shape, at(growth.generator));
  const discriminator = buildDiscriminator(shape, at(growth.discriminator));
  nets.generatorOptimizer.moveMoments(before.generator, trainableVariables(generator));
  // The discriminator's optimizer also trains the projected heads, after the discriminator's own weights.
  const heads = nets.projected ? trainableVariables(nets.projected.heads) : [];
  nets.discriminatorOptimizer.moveMoments(
    [...before.discriminator, ...heads],
    [...trainableVariables(discriminator), ...heads],
  );
  nets.generator.dispose();
  nets.discriminator.dispose();
  nets.generator = generator;
  nets.discriminator = discriminator;
  if (nets.average && growth.average) {
    const known = new Set(growth.average.keys());
    const average = buildGenerator(shape, at(growth.average));
    for (const [name, layer] of growth.average) {
      if (!known.has(name)) layer.setWeights(growth.generator.get(name)!.getWeights());
    }
    nets.average.dispose();
    nets.average = average;
  }
  growth.level = level;
}

/** Sets every fade-in of the networks to `alpha`. */
export function setFade(nets: GanNetworks, alpha: number): void {
  for (const model of [nets.generator, nets.discriminator, nets.average]) {
    for (const layer of model?.layers ?? []) if (layer instanceof FadeIn) layer.alpha = alpha;
  }
}

/**
 * A grown generator as the plain network of its full size, with the same weights and without the fade-in
 * or the smaller sizes' RGB layers: what `dcgan:export` ships, so TensorFlow.js in the page needs no
 * layer of posterlab's own. Throws unless it has grown to the full size and finished fading in.
 */
export function plainGenerator(grown: tf.LayersModel, shape: DcganShape): tf.LayersModel {
  const full = builtLevel(grown) === growthLevels(shape).fullLevel;
  return plainCopy(grown, full, shape, () => buildGenerator({ ...shape, growFrom: 0 }));
}

/** The same for a grown discriminator (whose classifier `dcgan:export` ships beside the generator). */
export function plainDiscriminator(grown: tf.LayersModel, shape: DcganShape): tf.LayersModel {
  const full = grown.inputs[0].shape[2] === shape.width;
  return plainCopy(grown, full, shape, () => buildDiscriminator({ ...shape, growFrom: 0 }));
}

function plainCopy(
  grown: tf.LayersModel,
  full: boolean,
  shape: DcganShape,
  build: () => tf.LayersModel,
): tf.LayersModel {
  const fade = grown.layers.find((layer) => layer instanceof FadeIn) as FadeIn | undefined;
  if (!full || (fade && fade.alpha < 1)) {
    throw new Error(
      `This network has not grown to ${shape.width}x${shape.height} yet: train its run to the end first.`,
    );
  }
  const plain = build();
  for (const [name, layer] of layersOf(plain)) layer.setWeights(grown.getLayer(name).getWeights());
  return plain;
}

const fullSizeViews = new WeakMap<tf.LayersModel, tf.LayersModel>();

/**
 * A growing generator seen at the full size of `shape`: its posters scaled up (nearest), the same layers,
 * so the grids, quality figures and epoch snapshots of every level are full-size posters. The generator
 * itself once it works at the full size.
 */
export function atFullSize(generator: tf.LayersModel, shape: Pick<DcganShape, "width">): tf.LayersModel {
  const width = generator.outputs[0].shape[2]!;
  if (width === shape.width) return generator;
  let view = fullSizeViews.get(generator);
  if (!view) {
    const factor = shape.width / width;
    const scaled = tf.layers.upSampling2d({ size: [factor, factor], name: `grown${width}_to_full` })
      .apply(generator.outputs[0]) as tf.SymbolicTensor;
    view = tf.model({ inputs: generator.inputs, outputs: scaled, name: generator.name });
    fullSizeViews.set(generator, view);
  }
  return view;
}

/** A batch of full-size real posters at the size `generator` works at (average-pooled). */
export function atGeneratorSize(real: tf.Tensor4D, generator: tf.LayersModel): tf.Tensor4D {
  const factor = real.shape[2] / generator.outputs[0].shape[2]!;
  return factor === 1 ? real : tf.avgPool(real, factor, factor, "valid");
}
