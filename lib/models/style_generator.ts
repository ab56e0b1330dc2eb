/**
 * A StyleGAN2-style generator (Karras et al. 2020) for the DCGAN's shapes: a mapping network turns the
 * noise and the condition into a style vector, and every layer after the base map is a modulated
 * convolution (modulated_conv.ts) that the style steers, in place of batch norm. The layout is the
 * DCGAN generator's (a dense projection to the base map, nearest 2x and a 3x3 convolution per level,
 * the RGB image from the last one, skip-layer excitation when asked), so the two compare at equal
 * depth and width. Left out from StyleGAN2: the learned constant input, per-pixel noise, style mixing,
 * the skip or residual RGB outputs and the mapping network's lower learning rate.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { appliedWith } from "./applied_layer.ts";
import { ModulatedConv2D } from "./modulated_conv.ts";

/** Width of the mapping network's layers and of the style vector. */
export const STYLE_SIZE = 256;
/** Dense layers of the mapping network. */
export const MAPPING_LAYERS = 4;

/** What the DCGAN builder hands over: its level sizes and, with skip-layer excitation, the gate. */
export interface StyleGeneratorParts {
  latentDim: number;
  conditionSize: number;
  filters: number;
  steps: number;
  baseWidth: number;
  baseHeight: number;
  seed: number;
  /** `(source, target, side)`: skip-layer excitation (dcgan.ts), when the generator has it. */
  excite?: (source: tf.SymbolicTensor, target: tf.SymbolicTensor, side: number) => tf.SymbolicTensor;
}

const applied = appliedWith();

/** Inputs `noise` (and `condition`), output [n, height, width, 3] in [-1, 1], as the DCGAN generator's. */
export function buildStyleGenerator(parts: StyleGeneratorParts): tf.LayersModel {
  let next = parts.seed * 31 + 5;
  const seed = () => next++;
  const lrelu = (name: string) => applied(tf.layers.leakyReLU({ alpha: 0.2, name }));
  const noise = tf.input({ shape: [parts.latentDim], name: "noise" });
  const condition = parts.conditionSize > 0
    ? tf.input({ shape: [parts.conditionSize], name: "condition" })
    : undefined;
  const inputs = condition ? [noise, condition] : [noise];
  let style = condition ? applied(tf.layers.concatenate({ name: "noise_and_condition" }))(inputs) : noise;
  for (let k = 0; k < MAPPING_LAYERS; k++) {
    style = applied(tf.layers.dense({
      units: STYLE_SIZE,
      kernelInitializer: tf.initializers.heNormal({ seed: seed() }),
      name: `mapping${k}`,
    }))(style);
    style = lrelu(`mapping${k}_lrelu`)(style);
  }
  let channels = parts.filters * 2 ** (parts.steps - 1);
  let x = applied(tf.layers.dense({
    units: parts.baseHeight * parts.baseWidth * channels,
    kernelInitializer: tf.initializers.heNormal({ seed: seed() }),
    name: "project",
  }))(style);
  x = applied(
    tf.layers.reshape({ targetShape: [parts.baseHeight, parts.baseWidth, channels], name: "to_base" }),
  )(x);
  x = lrelu("project_lrelu")(x);
  const levels: tf.SymbolicTensor[] = [x];
  for (let i = 1; i <= parts.steps; i++) {
    const side = parts.baseWidth * 2 ** i;
    const rgb = i === parts.steps;
    channels = rgb ? 3 : channels / 2;
    x = applied(tf.layers.upSampling2d({ size: [2, 2], name: `up${side}_resize` }))(x);
    x = applied(
      new ModulatedConv2D({
        filters: channels,
        kernelSize: 3,
        demodulate: !rgb,
        seed: seed(),
        name: `up${side}`,
      }),
    )(
      [x, style],
    );
    if (rgb) {
      x = applied(tf.layers.activation({ activation: "tanh", name: "rgb" }))(x);
    } else {
      x = lrelu(`up${side}_lrelu`)(x);
      if (parts.excite && i >= 2) x = parts.excite(levels[i - 2], x, side);
      levels.push(x);
    }
  }
  return tf.model({ inputs, outputs: x, name: condition ? "conditional_generator" : "generator" });
}
