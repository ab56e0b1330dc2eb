/**
 * The DCGAN bench: training steps/s (reported as images/s = steps/s x batch) and peak memory for each
 * TensorFlow.js backend that loads, with the exact step `deno task dcgan:train` runs (one
 * discriminator and one generator Adam update, lib/gan/train.ts) on random posters.
 *
 * Shape: 64x64 with 32 filters at the widest layer (the paper uses 64: 4x the work); quick mode
 * 32x32 with 16 filters. `ratio` is 0 in the records: DCGAN images are square, see `note`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tryBackend } from "../lib/backend/select.ts";
import { BACKEND_ORDER, type BackendName } from "../lib/config.ts";
import { BETA1, LEARNING_RATE, trainStep } from "../lib/gan/train.ts";
import { buildDiscriminator, buildGenerator, type DcganShape } from "../lib/models/dcgan.ts";
import { imagesPerSecond } from "./cnn.ts";
import { peakRssMiB, resetPeakRss } from "./memory.ts";
import type { BenchOptions, BenchRecord, BenchSuite } from "./types.ts";

async function measure(backend: string, shape: DcganShape, options: BenchOptions): Promise<BenchRecord> {
  const nets = {
    generator: buildGenerator(shape),
    discriminator: buildDiscriminator(shape),
    generatorOptimizer: tf.train.adam(LEARNING_RATE, BETA1),
    discriminatorOptimizer: tf.train.adam(LEARNING_RATE, BETA1),
  };
  const real = tf.randomUniform(
    [options.batch, shape.size, shape.size, 3],
    -1,
    1,
    "float32",
    1,
  ) as tf.Tensor4D;
  let seed = 0;
  resetPeakRss();
  const rate = await imagesPerSecond(
    () => Promise.resolve(void trainStep(nets, real, undefined, shape.latentDim, seed++)),
    options.batch,
    options.quick,
  );
  real.dispose();
  for (const part of Object.values(nets)) part.dispose();
  return {
    task: "dcgan-train",
    backend,
    ratio: 0,
    batch: options.batch,
    imagesPerSecond: rate,
    peakRssMiB: peakRssMiB(),
    note: `${shape.size}x${shape.size}, ${shape.filters} filters; ${
      (rate / options.batch).toFixed(2)
    } steps/s`,
  };
}

/** The dcgan suite run by `deno task bench`. */
export const suite: BenchSuite = {
  name: "dcgan",
  async run(options: BenchOptions): Promise<BenchRecord[]> {
    const log = (line: string) => console.error(line);
    const forced = options.backends.length > 0;
    // cpu (plain JavaScript) is left out unless asked for: a 64x64 step takes minutes there.
    const names = forced
      ? options.backends.filter((b): b is BackendName => (BACKEND_ORDER as readonly string[]).includes(b))
      : BACKEND_ORDER.filter((b) => b !== "cpu");
    const shape: DcganShape = options.quick
      ? { size: 32, latentDim: 100, filters: 16, conditionSize: 0, seed: 1 }
      : { size: 64, latentDim: 100, filters: 32, conditionSize: 0, seed: 1 };
    const records: BenchRecord[] = [];
    for (const name of names) {
      const reason = await tryBackend(name, forced);
      if (reason !== undefined) {
        log(`dcgan: skipped ${name}: ${reason}`);
        continue;
      }
      log(`dcgan: measuring ${name}`);
      records.push(await measure(name, shape, options));
    }
    return records;
  },
};
