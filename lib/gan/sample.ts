/**
 * Generating posters from a trained generator: images as uint8 batches for grids, and the conditional
 * query "a Sci-Fi poster of the 1980s", answered by a run's generator or, on a fresh clone, by the
 * shipped one (shipped.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { basename, join } from "node:path";
import { CONDITION_LAYOUT, decadeOf, parseGenre } from "../models/dcgan.ts";
import { GAN_PARTS, loadGenerator, samplingPart } from "./checkpoint.ts";
import { type ImageBatch, writeGrid } from "./grid.ts";
import { type GeneratorInputs, makePosters, pixelBytes } from "./make_posters.ts";
import { readRunMetadata, runPaths } from "./run.ts";
import { findShippedGenerator, loadShippedGenerator, shippedGeneratorsDir } from "./shipped.ts";

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
  const bytes = pixelBytes(tf, images);
  const pixels = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { count, height, width, pixels };
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
  /** Output PNG; default `<run>/samples/<genres>_<decade>s_seed<seed>.png`. */
  out?: string;
  /**
   * When the run has no metadata.json (a fresh clone): the shipped-models folder whose generators
   * answer instead (shipped.ts), the one of the run's name, else (unless `exactName`) the first.
   */
  shippedDir?: string;
  /** The run's name was asked for (--name), so no other shipped generator may answer. */
  exactName?: boolean;
}

/** Which generator answered a sample request. */
export type SampleSource =
  | { kind: "run"; runDir: string; step: number; averaged: boolean }
  | { kind: "shipped"; dir: string; name: string };

/** `runs/dcgan/x (the weight average after 100 steps)` or `x [shipped with posterlab] (models/...)`. */
export function describeSource(source: SampleSource): string {
  return source.kind === "run"
    ? `run ${source.runDir} (${
      source.averaged ? "its weight average" : "its generator"
    } after ${source.step} steps)`
    : `${source.name} [shipped with posterlab] (${source.dir})`;
}

/** The generator for a request: the run's, else a shipped one; its inputs and where it came from. */
async function openGenerator(request: SampleRequest): Promise<{
  model: tf.LayersModel;
  inputs: GeneratorInputs;
  source: SampleSource;
}> {
  const metadata = await readRunMetadata(request.runDir);
  if (metadata) {
    if (!metadata.conditional) {
      throw new Error(
        `Run ${request.runDir} is unconditional: train one with --conditional to ask for genres and decades.`,
      );
    }
    const checkpoint = runPaths(request.runDir).checkpoint;
    const model = await loadGenerator(checkpoint);
    const averaged = await samplingPart(checkpoint) === GAN_PARTS.average;
    return {
      model,
      inputs: { latentDim: metadata.shape.latentDim, condition: CONDITION_LAYOUT },
      source: { kind: "run", runDir: request.runDir, step: metadata.step, averaged },
    };
  }
  const name = basename(request.runDir);
  const shipped = request.shippedDir
    ? await findShippedGenerator(request.shippedDir, name, request.exactName ?? false)
    : undefined;
  if (!shipped) {
    throw new Error(
      `${request.runDir} has no metadata.json` +
        (request.shippedDir
          ? ` and ${shippedGeneratorsDir(request.shippedDir)} has no generator ${name}`
          : "") +
        `: train one with deno task dcgan:train, or export one with deno task dcgan:export.`,
    );
  }
  const { model, record } = await loadShippedGenerator(shipped);
  if (!record.condition) {
    model.dispose();
    throw new Error(
      `The generator in ${shipped} is unconditional: it can't be asked for genres and decades.`,
    );
  }
  return {
    model,
    inputs: { latentDim: record.latentDim, condition: record.condition },
    source: { kind: "shipped", dir: shipped, name: record.name },
  };
}

/** Writes a grid of conditional samples for a trained run; returns the PNG's path. */
export async function sampleConditional(request: SampleRequest): Promise<string> {
  return (await sampleWithSource(request)).out;
}

/**
 * Writes a grid of conditional samples for a trained run, or the shipped generator when the run has
 * none and `shippedDir` is given; returns the PNG's path and which generator answered.
 */
export async function sampleWithSource(
  request: SampleRequest,
): Promise<{ out: string; source: SampleSource }> {
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`--count needs a positive whole number, got ${request.count}.`);
  }
  const genres = request.genres.map(parseGenre);
  const decade = decadeOf(request.decade);
  const { model, inputs, source } = await openGenerator(request);
  let images: ImageBatch;
  try {
    images = await makePosters(tf, model, inputs, {
      genres,
      decade,
      count: request.count,
      seed: request.seed,
    });
  } finally {
    model.dispose();
  }
  const columns = Math.min(request.count, request.columns ?? Math.ceil(Math.sqrt(request.count)));
  const out = request.out ??
    join(runPaths(request.runDir).samples, `${genres.join("-")}_${decade}s_seed${request.seed}.png`);
  await writeGrid(out, images, {
    rows: Math.ceil(request.count / columns),
    columns,
    posterAspect: images.width === images.height,
  });
  return { out, source };
}
