/**
 * One DCGAN training step, and the networks it trains.
 *
 * Each step: the discriminator learns real posters against a batch of fakes; then the generator
 * learns to make the discriminator say "real". Losses: the paper's cross-entropy (the generator's
 * non-saturating form; real posters labelled 0.9 by default, one-sided label smoothing) or the hinge
 * loss of SAGAN/BigGAN. The conditional model feeds each real poster's genres and decade to both
 * networks, and asks the generator for fakes with the same conditions; with an AC-GAN head the
 * discriminator also learns to name real posters' genres and decade, and the generator is scored on
 * whether its fakes get their asked ones. With DiffAugment every image the discriminator sees, real
 * or fake, is augmented first, with a fresh random draw for each pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createAdam, type FusedAdamOptimizer } from "../training/adam.ts";
import { trainableVariables } from "../training/trainable.ts";
import {
  type DcganShape,
  type DcganTrainingConfig,
  DEFAULT_DCGAN_TRAINING,
  DEFAULT_OBJECTIVE,
  type GanObjective,
} from "../config.ts";
import {
  buildDiscriminator,
  buildGenerator,
  classifierLoss,
  reconstructionOutputs,
  verdictModel,
} from "../models/dcgan.ts";
import { buildProjectedHeads, projectedLogits } from "../models/projected_discriminator.ts";
import { augment } from "./augment.ts";
import { type Growth, growthLevels } from "./growth.ts";
import type { StepRecord } from "./run.ts";

/** The networks and optimizers a run trains. */
export interface GanNetworks {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Adam (createAdam), whose learning rate a schedule sets before each step. */
  generatorOptimizer: FusedAdamOptimizer;
  discriminatorOptimizer: FusedAdamOptimizer;
  /** The moving average of the generator's weights (ema.ts), which samples come from when present. */
  average?: tf.LayersModel;
  /**
   * The discriminator on pretrained features (models/projected_discriminator.ts), when the run has one:
   * the frozen network's maps and the trained heads, which the discriminator's optimizer trains too.
   */
  projected?: { maps: tf.LayersModel; heads: tf.LayersModel };
  /** A growing run's layers and level (growth.ts); the networks above are those of its level. */
  growth?: Growth;
}

/**
 * One DCGAN step on a batch of real posters: a discriminator update, then a generator update.
 * `noiseSeed` makes the step's noise reproducible (so a resumed run repeats the same steps).
 */
export function trainStep(
  nets: GanNetworks,
  real: tf.Tensor4D,
  conditions: tf.Tensor2D | undefined,
  latentDim: number,
  noiseSeed: number,
  objective: Pick<GanObjective, "loss" | "realLabel" | "augment" | "classWeight" | "decadeWeight"> =
    DEFAULT_OBJECTIVE,
): Omit<StepRecord, "step" | "epoch"> {
  const hinge = objective.loss === "hinge";
  const policy = objective.augment ?? DEFAULT_OBJECTIVE.augment ?? [];
  const values = tf.tidy(() => {
    const batch = real.shape[0];
    const noise = tf.randomNormal([batch, latentDim], 0, 1, "float32", noiseSeed);
    const withCondition = (x: tf.Tensor) => (conditions ? [x, conditions] : x);
    // The discriminator's verdict on images after augmentation (a distinct draw for each use), split
    // into the real-vs-fake logit and, with an AC-GAN head, the condition's logits. A reconstructing
    // discriminator also rebuilds what it saw of real posters (`rebuild`), and the error joins its
    // loss; generated posters go to its verdict part only.
    let draws = 0;
    const decoders = reconstructionOutputs(nets.discriminator);
    const judge = (images: tf.Tensor, rebuild = false) => {
      const seen = augment(images as tf.Tensor4D, policy, noiseSeed * 4 + draws++);
      const model = rebuild ? nets.discriminator : verdictModel(nets.discriminator);
      const out = model.apply(withCondition(seen), { training: true }) as tf.Tensor | tf.Tensor[];
      const all = Array.isArray(out) ? out : [out];
      const verdicts = all.length - (rebuild ? decoders : 0);
      return {
        logit: all[0],
        // The pretrained features' discriminators see the same augmented posters.
        projected: nets.projected
          ? projectedLogits(nets.projected.maps, nets.projected.heads, seen, conditions)
          : undefined,
        classes: verdicts > 1 ? all[1] as tf.Tensor2D : undefined,
        reconstructionError: rebuild && decoders > 0
          ? reconstructionError(seen as tf.Tensor4D, all.slice(verdicts) as tf.Tensor4D[])
          : undefined,
      };
    };
    // Fakes for the discriminator's update are constants: no gradient flows into the generator here.
    const fake = nets.generator.apply(withCondition(noise), { training: true }) as tf.Tensor;
    let dReal = tf.scalar(0);
    let dFake = tf.scalar(0);
    const dLoss = nets.discriminatorOptimizer.minimize(
      () => {
        const onReal = judge(real, true);
        const onFake = judge(fake);
        dReal = tf.keep(tf.sigmoid(onReal.logit).mean());
        dFake = tf.keep(tf.sigmoid(onFake.logit).mean());
        const verdictLoss = (real: tf.Tensor, fake: tf.Tensor) =>
          hinge
            ? tf.relu(tf.sub(1, real)).mean().add(tf.relu(tf.add(1, fake)).mean())
            : tf.losses.sigmoidCrossEntropy(tf.fill(real.shape, objective.realLabel), real)
              .add(tf.losses.sigmoidCrossEntropy(tf.zerosLike(fake), fake));
        const own = verdictLoss(onReal.logit, onFake.logit);
        // Each scale's discriminator has its loss; their mean counts as much as the DCGAN's own.
        const adversarial = onReal.projected
          ? own.add(verdictLoss(onReal.projected, onFake.projected!))
          : own;
        // The classifier learns genres and decades from real posters only, so it never learns the
        // generator's mistakes as a genre's look.
        const classified = onReal.classes
          ? adversarial.add(classifierLoss(conditions!, onReal.classes))
          : adversarial;
        return (onReal.reconstructionError
          ? classified.add(onReal.reconstructionError)
          : classified) as tf.Scalar;
      },
      true,
      [
        ...trainableVariables(nets.discriminator),
        ...(nets.projected ? trainableVariables(nets.projected.heads) : []),
      ],
    )!;
    const gLoss = nets.generatorOptimizer.minimize(
      () => {
        const generated = nets.generator.apply(withCondition(noise), { training: true }) as tf.Tensor;
        const { logit, classes, projected } = judge(generated);
        const fooling = (verdict: tf.Tensor) =>
          hinge ? verdict.mean().neg() : tf.losses.sigmoidCrossEntropy(tf.onesLike(verdict), verdict);
        const adversarial = projected ? fooling(logit).add(fooling(projected)) : fooling(logit);
        return (classes
          ? adversarial.add(classifierLoss(conditions!, classes, {
            genres: objective.classWeight,
            decade: objective.decadeWeight ?? objective.classWeight,
          }))
          : adversarial) as tf.Scalar;
      },
      true,
      trainableVariables(nets.generator),
    )!;
    const stacked = tf.stack([dLoss, gLoss, dReal, dFake]);
    // Kept so they outlive minimize()'s scope; tidy leaves kept tensors alone.
    tf.dispose([dReal, dFake]);
    return stacked;
  });
  const [dLoss, gLoss, dReal, dFake] = values.dataSync();
  values.dispose();
  return { dLoss, gLoss, dReal, dFake };
}

/**
 * FastGAN's reconstruction loss, with the mean absolute pixel error in place of its perceptual one:
 * each decoder's image against the poster the discriminator saw, average-pooled to the decoder's size.
 */
function reconstructionError(seen: tf.Tensor4D, decoded: tf.Tensor4D[]): tf.Scalar {
  return tf.addN(decoded.map((image) => {
    const factor = seen.shape[2] / image.shape[2];
    const target = factor > 1 ? tf.avgPool(seen, factor, factor, "valid") : seen;
    return tf.losses.absoluteDifference(target, image);
  })) as tf.Scalar;
}

/**
 * Fresh networks (seeded initial weights), their Adam optimizers (Radford et al.'s settings unless
 * `adam` says otherwise) and the weight average.
 */
export function newNetworks(
  shape: DcganShape,
  seed: number,
  objective: GanObjective,
  adam: Pick<DcganTrainingConfig, "learningRate" | "discriminatorLearningRate" | "beta1" | "beta2"> =
    DEFAULT_DCGAN_TRAINING,
  maps?: tf.LayersModel,
): GanNetworks {
  // A growing run starts at its smallest size, each network's layers kept to grow from.
  const growth: Growth | undefined = (shape.growFrom ?? 0) > 0
    ? {
      level: growthLevels(shape).fromLevel,
      generator: new Map(),
      discriminator: new Map(),
      ...(objective.averageDecay > 0 ? { average: new Map() } : {}),
    }
    : undefined;
  const at = (layers?: Map<string, tf.layers.Layer>) =>
    growth && layers ? { level: growth.level, fromLevel: growth.level, layers } : undefined;
  const generator = buildGenerator({ ...shape, seed }, at(growth?.generator));
  const nets: GanNetworks = {
    generator,
    discriminator: buildDiscriminator({ ...shape, seed }, at(growth?.discriminator)),
    generatorOptimizer: createAdam(adam.learningRate, adam.beta1, adam.beta2),
    discriminatorOptimizer: createAdam(
      adam.discriminatorLearningRate ?? adam.learningRate,
      adam.beta1,
      adam.beta2,
    ),
    ...(growth ? { growth } : {}),
  };
  if (objective.projected) {
    if (!maps) {
      throw new Error(
        "A run with the projected discriminator needs the pretrained maps (loadPretrainedMaps).",
      );
    }
    nets.projected = { maps, heads: buildProjectedHeads(maps, shape.conditionSize, seed) };
  }
  if (objective.averageDecay > 0) {
    nets.average = buildGenerator({ ...shape, seed }, at(growth?.average));
    nets.average.setWeights(generator.getWeights());
  }
  return nets;
}

/** Releases the networks and optimizers. */
export function disposeNetworks(nets: GanNetworks): void {
  nets.average?.dispose();
  nets.projected?.heads.dispose();
  nets.projected?.maps.dispose();
  nets.generator.dispose();
  nets.discriminator.dispose();
  nets.generatorOptimizer.dispose();
  nets.discriminatorOptimizer.dispose();
}
