/**
 * A discriminator on pretrained features (projected GAN, Sauer et al. 2021), beside the DCGAN's own: a
 * frozen MobileNetV2 (the one nsfwjs bundles, ImageNet-initialised) reads each poster, real or generated,
 * and small trained discriminators judge its maps at four scales. The generator's gradient flows back
 * through the frozen network to its pixels, so it learns what separates real posters from its own in
 * features that already know edges, textures and objects, instead of features a discriminator trained
 * on a few thousand posters has to find alone.
 *
 * As in the paper, each map first goes through a fixed random 1x1 convolution (its cross-channel mixing,
 * never trained: a trained one lets the discriminator attend to few features and the generator ignore
 * the rest), then strided convolutions with spectral normalisation down to a few pixels, and a logit with
 * the condition projected onto its features (Miyato & Koyama), as in the DCGAN's discriminator. Its
 * cross-scale mixing is left out.
 *
 * ```ts
 * import { buildProjectedHeads, loadPretrainedMaps } from "./projected_discriminator.ts";
 * const maps = await loadPretrainedMaps({ width: 64, height: 96 });
 * const heads = buildProjectedHeads(maps, 19, 1);
 * console.log(heads.outputs[0].shape); // [null, 4]: a logit per scale
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadMobileNetV2 } from "./mobilenet_v2.ts";
import { featureMaps } from "./pooled_features.ts";
import { fromNetworks } from "./nsfwjs.ts";
import { SpectralConv2D, SpectralDense } from "./spectral_norm.ts";

/** MobileNetV2's layers read, at strides 4, 8, 16 and 32 (24, 32, 96 and 160 channels). */
export const PROJECTED_LAYERS = ["block_2_add", "block_5_add", "block_12_add", "block_15_add"] as const;

/** Channels of each map after the fixed random mixing. */
export const PROJECTED_CHANNELS = 64;

/** The frozen MobileNetV2 for `size` posters, from images in [0, 1] to its maps at {@linkcode PROJECTED_LAYERS}. */
export async function loadPretrainedMaps(size: { width: number; height: number }): Promise<tf.LayersModel> {
  return await fromNetworks(
    [loadMobileNetV2()],
    (network) => featureMaps({ network, layers: PROJECTED_LAYERS }, size),
  );
}

/**
 * The trained part: for each of `maps`' outputs a discriminator, from the map (and the condition, when
 * `conditionSize` > 0) to a logit; all the logits as one `[n, scales]` output.
 */
export function buildProjectedHeads(
  maps: tf.LayersModel,
  conditionSize: number,
  seed: number,
): tf.LayersModel {
  let next = seed * 7919 + 17;
  const seedOf = () => next++;
  const inputs = maps.outputs.map((map, i) =>
    tf.input({ shape: map.shape.slice(1) as number[], name: `map${i}` })
  );
  const condition = conditionSize > 0 ? tf.input({ shape: [conditionSize], name: "condition" }) : undefined;
  const logits = inputs.map((input, i) => {
    let x = tf.layers.conv2d({
      filters: PROJECTED_CHANNELS,
      kernelSize: 1,
      useBias: false,
      trainable: false,
      kernelInitializer: tf.initializers.heNormal({ seed: seedOf() }),
      name: `scale${i}_mixing`,
    }).apply(input) as tf.SymbolicTensor;
    let channels = PROJECTED_CHANNELS;
    for (let k = 0; x.shape[1]! > 3; k++) {
      channels = Math.min(channels * 2, 256);
      x = new SpectralConv2D({
        filters: channels,
        kernelSize: 4,
        strides: 2,
        useBias: true,
        seed: seedOf(),
        name: `scale${i}_down${k}`,
      })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers.leakyReLU({ alpha: 0.2, name: `scale${i}_down${k}_lrelu` }).apply(x) as tf.SymbolicTensor;
    }
    const features = tf.layers.flatten({ name: `scale${i}_features` }).apply(x) as tf.SymbolicTensor;
    const logit = new SpectralDense({ units: 1, useBias: true, seed: seedOf(), name: `scale${i}_logit` })
      .apply(features) as tf.SymbolicTensor;
    if (!condition) return logit;
    const embedded = new SpectralDense({
      units: features.shape[1]!,
      useBias: false,
      seed: seedOf(),
      name: `scale${i}_condition_embedding`,
    }).apply(condition) as tf.SymbolicTensor;
    const projected = tf.layers.dot({ axes: 1, name: `scale${i}_projection` }).apply([
      features,
      embedded,
    ]) as tf.SymbolicTensor;
    return tf.layers.add({ name: `scale${i}_logit_and_projection` }).apply([
      logit,
      projected,
    ]) as tf.SymbolicTensor;
  });
  const output = logits.length === 1
    ? logits[0]
    : tf.layers.concatenate({ name: "logits" }).apply(logits) as tf.SymbolicTensor;
  return tf.model({
    inputs: condition ? [...inputs, condition] : inputs,
    outputs: output,
    name: "projected_discriminator",
  });
}

/** The heads' logits `[n, scales]` for posters in [-1, 1] (the generator's range) and their conditions. */
export function projectedLogits(
  maps: tf.LayersModel,
  heads: tf.LayersModel,
  images: tf.Tensor,
  conditions: tf.Tensor | undefined,
): tf.Tensor2D {
  const features = maps.apply(images.add(1).mul(0.5), { training: false }) as tf.Tensor | tf.Tensor[];
  const all = Array.isArray(features) ? features : [features];
  return heads.apply(conditions ? [...all, conditions] : all, { training: true }) as tf.Tensor2D;
}
