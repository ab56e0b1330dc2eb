/**
 * Batched inference over a loaded split: probabilities for every film, and the loss on the way; for a
 * saved model with a pretrained branch, blended with the branch's; for a model that asks for it
 * (`testTimeMirror`), each poster's outputs averaged with its mirror image's (models/test_views.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GenreData } from "../dataset/types.ts";
import type { LossFunction } from "../models/losses.ts";
import { Progress } from "../util/progress.ts";
import { loadGenreData } from "../dataset/load.ts";
import { blendOutputs, type ModelOutputs } from "../models/blend.ts";
import { extractFeatures } from "../models/feature_branch.ts";
import type { LoadedBranch, SavedGenreModel } from "../models/saved.ts";
import { chain, type Network, predictViews } from "../models/test_views.ts";

/** Options of {@linkcode predictGenres}. */
export interface PredictOptions {
  /** Images per forward pass. */
  batchSize?: number;
  /** Also compute this loss over the split (mean over films). */
  loss?: LossFunction;
  /** Progress label; no progress bar when undefined. */
  label?: string;
  /** Average each poster's outputs with its mirror image's. */
  mirror?: boolean;
}

/** What {@linkcode predictGenres} returns. */
export interface Predictions {
  /** Row-major `[count, genres]` sigmoid probabilities, in the split's row order. */
  probabilities: Float32Array;
  /** Mean loss over the split when a loss was given, else NaN (the genre loss only, for models with heads). */
  loss: number;
  /** For a model with regression heads: each head's raw (standardised) output per film, in output order. */
  heads: Float32Array[];
  /** Inference throughput. */
  imagesPerSecond: number;
}

/** Runs the model over every film of `data` in batches (dropout off). */
export async function predictGenres(
  model: Network,
  data: GenreData,
  options: PredictOptions = {},
): Promise<Predictions> {
  const count = data.movies.length;
  const genres = data.genres.length;
  const batchSize = options.batchSize ?? 64;
  const probabilities = new Float32Array(count * genres);
  const progress = options.label ? new Progress(options.label, count, { unit: "images" }) : undefined;
  const start = performance.now();
  let heads: Float32Array[] = [];
  let lossSum = 0;
  for (let from = 0; from < count; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - from) }, (_, k) => from + k);
    const [batch, batchLoss, headBatches] = tf.tidy(() => {
      const [output, ...rest] = predictViews(tf, model, data.images(indices), options.mirror ?? false);
      const loss = options.loss ? options.loss(data.labelTensor(indices), output) : undefined;
      return [output, loss, rest] as const;
    });
    probabilities.set(await batch.data() as Float32Array, from * genres);
    if (batchLoss) lossSum += (await batchLoss.data())[0] * indices.length;
    if (from === 0) heads = headBatches.map(() => new Float32Array(count));
    for (const [k, head] of headBatches.entries()) heads[k].set(await head.data() as Float32Array, from);
    tf.dispose([batch, batchLoss, ...headBatches].filter((t): t is tf.Tensor => t !== undefined));
    progress?.tick(indices.length);
  }
  progress?.finish();
  const seconds = (performance.now() - start) / 1000;
  return {
    probabilities,
    loss: options.loss && count > 0 ? lossSum / count : NaN,
    heads,
    imagesPerSecond: seconds > 0 ? count / seconds : 0,
  };
}

/**
 * A saved model's predictions on `data`: its CNN's, blended with its pretrained branch's when it has
 * one (the branch reads the same films at its own poster size, loaded here). `loss` stays the CNN's.
 */
export async function predictSaved(
  saved: Pick<SavedGenreModel, "model" | "branch" | "metadata">,
  data: GenreData,
  options: PredictOptions = {},
): Promise<Predictions> {
  const mirror = saved.metadata.model.testTimeMirror ?? false;
  const cnn = await predictGenres(saved.model, data, { ...options, mirror });
  if (!saved.branch) return cnn;
  const started = performance.now();
  const branch = await branchPredictions(saved.branch, data, {
    progress: options.label !== undefined,
    mirror,
  });
  const seconds = data.movies.length / cnn.imagesPerSecond + (performance.now() - started) / 1000;
  return {
    ...cnn,
    ...blendOutputs(cnn, branch, saved.branch.blend),
    imagesPerSecond: seconds > 0 ? data.movies.length / seconds : 0,
  };
}

/**
 * The branch's own outputs on the films of `data`, read at the branch's poster size; with `mirror`, each
 * poster's averaged with its mirror image's.
 */
export async function branchPredictions(
  branch: Pick<LoadedBranch, "extractor" | "head" | "blend">,
  data: GenreData,
  options: { progress?: boolean; mirror?: boolean } = {},
): Promise<ModelOutputs> {
  const large = await atBranchSize(data, branch.blend.config.ratio, options);
  const { probabilities, heads } = await predictGenres(chain(branch.extractor, branch.head), large, {
    batchSize: 32,
    mirror: options.mirror,
    label: options.progress ? `branch ${data.split}` : undefined,
  });
  return { probabilities, heads };
}

/**
 * The frozen network's features of the films of `data`, read at poster ratio `ratio` (loaded and, where
 * needed, resized here), row-major `[films, features]` in `data`'s row order.
 */
export async function branchFeatures(
  extractor: tf.LayersModel,
  data: GenreData,
  ratio: number,
  options: { progress?: boolean } = {},
): Promise<Float32Array> {
  return await extractFeatures(extractor, await atBranchSize(data, ratio, options), options);
}

/** The films of `data` at poster ratio `ratio`, in the same order (an error if the folder holds others). */
async function atBranchSize(
  data: GenreData,
  ratio: number,
  options: { progress?: boolean },
): Promise<GenreData> {
  const config = { ...data.config, ratio };
  const large = await loadGenreData(config, data.split, { resize: true, progress: options.progress });
  const same = large.movies.length === data.movies.length &&
    large.movies.every((movie, i) => movie.imdbId === data.movies[i].imdbId);
  if (!same) {
    throw new Error(
      `The ${data.split} split at ratio ${ratio} holds other films than at ratio ${data.config.ratio} ` +
        `(${large.movies.length} against ${data.movies.length}): resize the posters again (deno task data).`,
    );
  }
  return large;
}

/**
 * A saved model's outputs for one poster, decoded at the CNN's size (`pixels`) and, for a model with a
 * branch, at the branch's (`branchPixels`): the blend, with the model's test-time views, as for a whole
 * split.
 */
export async function predictPoster(
  saved: Pick<SavedGenreModel, "model" | "branch" | "metadata">,
  pixels: Uint8Array,
  branchPixels?: Uint8Array,
): Promise<ModelOutputs> {
  const mirror = saved.metadata.model.testTimeMirror ?? false;
  const cnn = await posterOutputs(saved.model, pixels, saved.metadata.imageSize, mirror);
  if (!saved.branch) return cnn;
  if (!branchPixels) {
    throw new Error(`The model ${saved.metadata.name} needs the poster at its branch's size too.`);
  }
  const { extractor, head, blend } = saved.branch;
  return blendOutputs(
    cnn,
    await posterOutputs(chain(extractor, head), branchPixels, blend.imageSize, mirror),
    blend,
  );
}

/** A network's outputs for one poster's RGB pixels of `size` (scaled to [0, 1]). */
async function posterOutputs(
  network: Network,
  pixels: Uint8Array,
  size: { width: number; height: number },
  mirror: boolean,
): Promise<ModelOutputs> {
  const outputs = tf.tidy(() => {
    const image = tf.tensor4d(pixels, [1, size.height, size.width, 3], "int32").toFloat().div(255);
    return predictViews(tf, network, image as tf.Tensor4D, mirror);
  });
  try {
    const [first, ...rest] = outputs;
    return {
      probabilities: await first.data() as Float32Array,
      heads: await Promise.all(rest.map(async (t) => await t.data() as Float32Array)),
    };
  } finally {
    tf.dispose(outputs);
  }
}
