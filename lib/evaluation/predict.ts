/**
 * Batched inference over a loaded split: probabilities for every film, and the loss on the way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GenreData } from "../dataset/types.ts";
import type { LossFunction } from "../models/losses.ts";
import { Progress } from "../util/progress.ts";

/** Options of {@linkcode predictGenres}. */
export interface PredictOptions {
  /** Images per forward pass. */
  batchSize?: number;
  /** Also compute this loss over the split (mean over films). */
  loss?: LossFunction;
  /** Progress label; no progress bar when undefined. */
  label?: string;
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
  model: tf.LayersModel,
  data: GenreData,
  options: PredictOptions = {},
): Promise<Predictions> {
  const count = data.movies.length;
  const genres = data.genres.length;
  const batchSize = options.batchSize ?? 64;
  const probabilities = new Float32Array(count * genres);
  const progress = options.label ? new Progress(options.label, count, { unit: "images" }) : undefined;
  const start = performance.now();
  const heads = Array.from({ length: model.outputs.length - 1 }, () => new Float32Array(count));
  let lossSum = 0;
  for (let from = 0; from < count; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - from) }, (_, k) => from + k);
    const [batch, batchLoss, headBatches] = tf.tidy(() => {
      const outputs = model.predict(data.images(indices));
      const [output, ...rest] = Array.isArray(outputs) ? outputs : [outputs];
      const loss = options.loss ? options.loss(data.labelTensor(indices), output) : undefined;
      return [output, loss, rest] as const;
    });
    probabilities.set(await batch.data() as Float32Array, from * genres);
    if (batchLoss) lossSum += (await batchLoss.data())[0] * indices.length;
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
