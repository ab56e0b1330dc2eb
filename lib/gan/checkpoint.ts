/**
 * What a DCGAN run's checkpoint holds, by name, in the training loop's checkpoint folder
 * (lib/training/checkpoint.ts):
 *
 * ```
 * runs/dcgan/<name>/checkpoint/
 *   generator/, discriminator/                 the networks
 *   generator_average/                         the weight average (runs that keep one)
 *   projected_discriminator/                   the heads on pretrained features (runs that have them)
 *   generator_adam.*, discriminator_adam.*     Adam moments and iteration count
 *   state.json                                 the position and the parts' names
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { pathExists } from "../util/files.ts";
import { loadModelFiles } from "../models/saved.ts";
import { recoverCheckpoint } from "../training/checkpoint.ts";
import type { Log } from "../util/log.ts";
import { classifierModel } from "../models/dcgan.ts";
import { ALL_GENRES } from "../config.ts";
import type { PosterChooser } from "./choose_posters.ts";

/** The names of the networks and optimizer states in a DCGAN checkpoint. */
export const GAN_PARTS = {
  generator: "generator",
  discriminator: "discriminator",
  average: "generator_average",
  projected: "projected_discriminator",
  generatorAdam: "generator_adam",
  discriminatorAdam: "discriminator_adam",
} as const;

/** Which network of a checkpoint samples come from: the weight average when the run keeps one. */
export async function samplingPart(
  checkpointDir: string,
): Promise<typeof GAN_PARTS.average | typeof GAN_PARTS.generator> {
  return await pathExists(join(checkpointDir, GAN_PARTS.average, "model.json"))
    ? GAN_PARTS.average
    : GAN_PARTS.generator;
}

/**
 * Loads the generator that samples come from: the weight average when the run keeps one. A checkpoint
 * replacement that a crash interrupted is finished first, said through `log`.
 */
export async function loadGenerator(checkpointDir: string, log?: Log): Promise<tf.LayersModel> {
  await recoverCheckpoint(checkpointDir, log);
  return loadModelFiles(join(checkpointDir, await samplingPart(checkpointDir)));
}

/**
 * The checkpoint's discriminator's classifier as the chooser among candidate posters
 * (choose_posters.ts); undefined when the run's discriminator has none that reads the poster alone.
 * `plain` turns a grown discriminator into the plain network of its full size (growth.ts), for export.
 */
export async function loadChooser(
  checkpointDir: string,
  plain?: (discriminator: tf.LayersModel) => tf.LayersModel,
): Promise<PosterChooser | undefined> {
  const dir = join(checkpointDir, GAN_PARTS.discriminator);
  if (!(await pathExists(join(dir, "model.json")))) return undefined;
  const loaded = await loadModelFiles(dir);
  const discriminator = plain ? plain(loaded) : loaded;
  if (plain) loaded.dispose();
  const classifier = classifierModel(discriminator);
  if (!classifier) {
    discriminator.dispose();
    return undefined;
  }
  // The classifier shares the discriminator's layers: free the ones it leaves out (the realness logit
  // and the projection), which nothing else holds.
  const kept = new Set(classifier.layers);
  for (const layer of discriminator.layers) if (!kept.has(layer)) layer.dispose();
  return { classifier, genres: ALL_GENRES.length };
}
