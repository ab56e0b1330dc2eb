/**
 * Generating posters from a trained generator: images as uint8 batches for grids, and the conditional
 * query "a Sci-Fi poster of the 1980s".
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { conditionVector, decadeOf, parseGenre } from "../models/dcgan.ts";
import { loadGenerator } from "./checkpoint.ts";
import { type ImageBatch, writeGrid } from "./grid.ts";
import { readRunMetadata, runPaths } from "./run.ts";

/**
 * Runs the generator on noise and optional conditions; output in [-1, 1]. Batch norm uses its moving
 * statistics (inference mode), or with `batchStatistics` each batch's own, as in training (the
 * moving statistics are left as they were).
 */
export function generate(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  conditions?: tf.Tensor2D,
  options: { batchStatistics?: boolean } = {},
): tf.Tensor4D {
  const inputs = conditions ? [noise, conditions] : noise;
  if (!options.batchStatistics) return generator.predict(inputs) as tf.Tensor4D;
  // Training mode also moves the moving averages: keep them and put them back.
  const saved = generator.getWeights().map((w) => w.clone());
  const images = generator.apply(inputs, { training: true }) as tf.Tensor4D;
  generator.setWeights(saved);
  tf.dispose(saved);
  return images;
}

/** Converts images in [-1, 1] to a uint8 batch. */
export function toImageBatch(images: tf.Tensor4D): ImageBatch {
  const [count, height, width] = images.shape;
  const bytes = tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255).toInt());
  const pixels = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { count, height, width, pixels };
}

/** A stack of identical condition vectors for `genres` and `decade`. */
export function conditionBatch(genres: string[], decade: number, count: number): tf.Tensor2D {
  const vector = conditionVector(genres, decade);
  const values = new Float32Array(count * vector.length);
  for (let i = 0; i < count; i++) values.set(vector, i * vector.length);
  return tf.tensor2d(values, [count, vector.length]);
}

/** What `deno task dcgan:sample` asks for. */
export interface SampleRequest {
  runDir: string;
  genres: string[];
  decade: number;
  count: number;
  seed: number;
  /** Posters per grid row; default the square root of `count`, rounded up. */
  columns?: number;
  /** Output PNG; default `<run>/samples/<genres>_<decade>s_<seed>.png`. */
  out?: string;
}

/** Writes a grid of conditional samples for a trained run; returns the PNG's path. */
export async function sampleConditional(request: SampleRequest): Promise<string> {
  const metadata = await readRunMetadata(request.runDir);
  if (!metadata) {
    throw new Error(`${request.runDir} has no metadata.json: train it with deno task dcgan:train.`);
  }
  if (!metadata.conditional) {
    throw new Error(
      `Run ${request.runDir} is unconditional: train one with --conditional to ask for genres and decades.`,
    );
  }
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`--count needs a positive whole number, got ${request.count}.`);
  }
  const genres = request.genres.map(parseGenre);
  const decade = decadeOf(request.decade);
  const generator = await loadGenerator(runPaths(request.runDir).checkpoint);
  const batch = tf.tidy(() => {
    const noise = tf.randomNormal(
      [request.count, metadata.shape.latentDim],
      0,
      1,
      "float32",
      request.seed,
    ) as tf.Tensor2D;
    const images = generate(generator, noise, conditionBatch(genres, decade, request.count));
    return images;
  });
  const images = toImageBatch(batch);
  batch.dispose();
  generator.dispose();
  const columns = Math.min(request.count, request.columns ?? Math.ceil(Math.sqrt(request.count)));
  const out = request.out ??
    join(runPaths(request.runDir).samples, `${genres.join("-")}_${decade}s_seed${request.seed}.png`);
  await writeGrid(out, images, {
    rows: Math.ceil(request.count / columns),
    columns,
    posterAspect: images.width === images.height,
  });
  return out;
}
