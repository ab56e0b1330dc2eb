/**
 * A made-up conditional DCGAN run for tests of the export, the shipped generator and the page: a small
 * generator (and its weight average) with random weights in a checkpoint, and a metadata.json. The
 * weights are drawn wider than the paper's N(0, 0.02) and batch norm's moving statistics are set away
 * from 0 and 1, so posters differ visibly by noise and condition, and inference mode (moving
 * statistics) gives other pixels than training mode (each batch's own).
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type DcganShape, DEFAULT_DCGAN_SHAPE } from "../../lib/config.ts";
import { buildDiscriminator, buildGenerator, CONDITION_SIZE } from "../../lib/models/dcgan.ts";
import { GAN_PARTS } from "../../lib/gan/checkpoint.ts";
import { type RunMetadata, writeRunMetadata } from "../../lib/gan/run.ts";
import { saveCheckpoint } from "../../lib/training/checkpoint.ts";

/** The fixture's networks: 32x48 posters, short noise, few filters. */
export const FIXTURE_SHAPE: DcganShape = {
  ...DEFAULT_DCGAN_SHAPE,
  width: 32,
  height: 48,
  latentDim: 16,
  filters: 8,
  conditionSize: CONDITION_SIZE,
  seed: 5,
};

/** Growing networks for tests of progressive growing: 8x12 for an epoch, then 16x24. */
export const GROWING_SHAPE: DcganShape = {
  width: 16,
  height: 24,
  latentDim: 4,
  filters: 4,
  conditionSize: CONDITION_SIZE,
  growFrom: 8,
  growEpochs: 1,
};

/** A generator of `shape` with seeded random weights (see the module's note). */
export function randomGenerator(shape: DcganShape = FIXTURE_SHAPE, seed = 11): tf.LayersModel {
  const generator = buildGenerator(shape);
  let next = seed;
  generator.setWeights(generator.weights.map((w) => {
    const name = w.originalName;
    const shape = w.shape as number[];
    if (/\/moving_variance$/.test(name)) return tf.randomUniform(shape, 0.3, 2, "float32", next++);
    if (/\/moving_mean$/.test(name)) return tf.randomNormal(shape, 0, 0.5, "float32", next++);
    if (/\/gamma$/.test(name)) return tf.randomUniform(shape, 0.5, 1.5, "float32", next++);
    return tf.randomNormal(shape, 0, 0.15, "float32", next++);
  }));
  return generator;
}

/** A discriminator of `shape` (with its AC-GAN classifier) with seeded random weights, drawn wide. */
export function randomDiscriminator(shape: DcganShape = FIXTURE_SHAPE, seed = 21): tf.LayersModel {
  const discriminator = buildDiscriminator(shape);
  let next = seed;
  discriminator.setWeights(discriminator.weights.map((w) => {
    const shape = w.shape as number[];
    if (/\/moving_variance$/.test(w.originalName)) return tf.ones(shape);
    if (/\/(moving_mean|beta)$/.test(w.originalName)) return tf.zeros(shape);
    if (/\/gamma$/.test(w.originalName)) return tf.ones(shape);
    return tf.randomNormal(shape, 0, 0.3, "float32", next++);
  }));
  return discriminator;
}

/** Writes `runs/dcgan/<name>/` under `root` with a checkpoint and metadata.json; returns the run folder. */
export async function makeFixtureRun(
  root: string,
  name = "cdcgan32x48",
  shape: DcganShape = FIXTURE_SHAPE,
): Promise<string> {
  const runDir = join(root, "runs", "dcgan", name);
  const generator = randomGenerator(shape, 11);
  const average = randomGenerator(shape, 111);
  const discriminator = randomDiscriminator(shape);
  await saveCheckpoint(join(runDir, "checkpoint"), {
    models: {
      [GAN_PARTS.generator]: generator,
      [GAN_PARTS.average]: average,
      [GAN_PARTS.discriminator]: discriminator,
    },
    optimizers: {},
  }, { position: { step: 40, epoch: 2, batchInEpoch: 0, trainSeconds: 12 }, identity: {}, task: {} });
  generator.dispose();
  average.dispose();
  discriminator.dispose();
  const metadata: RunMetadata = {
    name,
    startedAt: "2026-12-01T10:00:00.000Z",
    updatedAt: "2026-12-01T10:05:00.000Z",
    shape,
    conditional: true,
    training: {
      epochs: 2,
      batchSize: 8,
      learningRate: 2e-4,
      beta1: 0.5,
      decayEpochs: 1,
      loss: "bce",
      realLabel: 0.9,
      averageDecay: 0.999,
      augment: [],
      classWeight: 4,
      sampleRate: 10,
      seed: 1,
    },
    dataset: {
      key: "fixture",
      selection: { dataDir: "data", minYear: 1980, maxYear: 2017, genres: [], excludeGenres: [], ratio: 10 },
      count: 160,
      stepsPerEpoch: 20,
    },
    backend: "cpu",
    gridLayout: { rows: 2, columns: 3 },
    step: 40,
    epoch: 2,
    finished: true,
    history: [],
    frechetFloor: { distance: 0.7, samples: 64 },
    quality: [{
      step: 40,
      epoch: 2,
      cnn: "fixture",
      frechetDistance: 1.4,
      realSamples: 64,
      generatedSamples: 64,
    }],
    timings: { trainSeconds: 12, stepsPerSecond: 3.3, imagesPerSecond: 26 },
  };
  await writeRunMetadata(runDir, metadata);
  return runDir;
}
