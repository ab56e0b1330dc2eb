/**
 * Posters from a generator for a genre and decade: seeded noise, the condition vector, the generator in
 * inference mode (batch norm's moving statistics) and the images as bytes. `tf` is passed in, so the
 * page of `deno task serve` (TensorFlow.js's browser bundle) and `dcgan:sample` (Deno) run the same
 * code: the same seed gives the same noise on both sides (tfjs's own seeded normal generator), and so
 * the same posters within float tolerance. `dcgan:sample --out-dir` and the quality figures' independent
 * judge take the posters a batch at a time ({@linkcode posterBatches}), each poster its own condition.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { makePosters } from "./make_posters.ts";
 * declare const generator: tf.LayersModel;
 * const layout = { genres: ["Drama", "Sci-Fi"], decades: [1970, 1980] };
 * const batch = await makePosters(tf, generator, { latentDim: 100, condition: layout }, {
 *   genres: ["Sci-Fi"],
 *   decade: 1980,
 *   count: 16,
 *   seed: 1,
 * });
 * console.log(batch.count, batch.width, batch.height); // 16 64 96
 * ```
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import { MAKE_POSTER_DEFAULTS } from "../config.ts";
import { conditionFromLayout, type ConditionLayout } from "../models/condition_layout.ts";
import { concatenate } from "../util/arrays.ts";
import type { ImageBatch } from "./grid_layout.ts";
import { candidateNoise, checkCandidates, drawPosters, type PosterChooser } from "./choose_posters.ts";

/**
 * What a generator takes: its noise length and, when conditional, its condition layout; and the
 * discriminator's classifier that picks among candidates, when it comes with one (choose_posters.ts).
 */
export interface GeneratorInputs {
  latentDim: number;
  condition?: ConditionLayout;
  chooser?: PosterChooser;
}

/**
 * Posters asked for: how many, the noise seed, and for a conditional generator either genres (one or
 * more) and a decade for all of them, or `conditions`, each poster's own condition vector in the
 * generator's layout (e.g. the genres and decades of training posters). An unconditional generator
 * ignores both.
 */
export interface PosterRequest {
  genres?: readonly string[];
  decade?: number;
  conditions?: readonly Float32Array[];
  count: number;
  seed: number;
  /** The truncation trick's factor on the noise (checkTruncation); default 1, none. */
  truncation?: number;
  /**
   * Candidates drawn per poster, the discriminator's classifier keeping the one that reads most surely
   * as the asked genres and decade (choose_posters.ts); default 1, the draw as it comes.
   */
  candidates?: number;
}

/** Throws unless `truncation` is a factor in (0, 1] (1: the noise as drawn). */
export function checkTruncation(truncation: number): void {
  if (!(truncation > 0 && truncation <= 1)) {
    throw new Error(
      `The truncation is a factor in (0, 1] on the noise (1: none, 0.7: closer to typical), got ${truncation}.`,
    );
  }
}

/**
 * `count` noise vectors from N(0, 1), the same for the same seed in Deno and in the browser, times
 * `truncation` (BigGAN's truncation trick, Brock et al. 2019, as a scale: below 1, posters nearer the
 * generator's typical ones, less varied).
 */
export function posterNoise(
  tf: typeof Tf,
  count: number,
  latentDim: number,
  seed: number,
  truncation = 1,
): Tf.Tensor2D {
  checkTruncation(truncation);
  return tf.tidy(() => {
    const noise = tf.randomNormal([count, latentDim], 0, 1, "float32", seed) as Tf.Tensor2D;
    return truncation === 1 ? noise : noise.mul(truncation) as Tf.Tensor2D;
  });
}

/** Images in [-1, 1] as int32 bytes 0-255 (rounded, clipped), same shape. */
export function pixelBytes(tf: typeof Tf, images: Tf.Tensor4D): Tf.Tensor4D {
  return tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255).toInt() as Tf.Tensor4D);
}

/** Each poster's condition vector for a request; undefined for an unconditional generator. */
export function posterConditions(
  inputs: GeneratorInputs,
  request: PosterRequest,
): readonly Float32Array[] | undefined {
  const layout = inputs.condition;
  if (!layout) return undefined;
  if (request.conditions) {
    const size = layout.genres.length + layout.decades.length;
    const wrong = request.conditions.findIndex((c) => c.length !== size);
    if (request.conditions.length !== request.count || wrong >= 0) {
      throw new Error(
        `Posters asked with their own conditions need ${request.count} vectors of ${size} values, got ` +
          `${request.conditions.length}${
            wrong >= 0 ? ` (number ${wrong + 1} has ${request.conditions[wrong].length})` : ""
          }.`,
      );
    }
    return request.conditions;
  }
  if (!request.genres?.length || request.decade === undefined) {
    throw new Error("A conditional generator is asked for genres and a decade (or a condition per poster).");
  }
  return new Array(request.count).fill(conditionFromLayout(layout, request.genres, request.decade));
}

/**
 * The posters of a request a batch at a time (`batchSize` images drawn, candidates included), so memory
 * stays bounded however many are asked: the noise is drawn at once and sliced, so the posters are those
 * of one call. The generator runs in inference mode (predict: batch norm's moving statistics, never the
 * batch's own).
 */
export async function* posterBatches(
  tf: typeof Tf,
  generator: Tf.LayersModel,
  inputs: GeneratorInputs,
  request: PosterRequest,
  batchSize: number = MAKE_POSTER_DEFAULTS.batchSize,
): AsyncGenerator<ImageBatch> {
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`The count of posters must be a positive whole number, got ${request.count}.`);
  }
  const candidates = request.candidates ?? 1;
  checkCandidates(candidates);
  const conditions = posterConditions(inputs, request);
  const { latentDim } = inputs;
  const { count } = request;
  const noise = posterNoise(tf, candidates * count, latentDim, request.seed, request.truncation);
  // Each poster's candidates are drawn together, so a batch holds fewer posters as candidates grow.
  const perBatch = Math.max(1, Math.floor(batchSize / candidates));
  try {
    for (let start = 0; start < count; start += perBatch) {
      const n = Math.min(perBatch, count - start);
      const bytes = tf.tidy(() => {
        const z = candidateNoise(tf, noise, count, start, n, candidates);
        let asked: Tf.Tensor2D | undefined;
        if (conditions) {
          const size = conditions[0].length;
          const values = new Float32Array(n * size);
          for (let i = 0; i < n; i++) values.set(conditions[start + i], i * size);
          asked = tf.tensor2d(values, [n, size]);
        }
        const images = drawPosters(tf, generator, z, asked, {
          candidates,
          ...(inputs.chooser ? { chooser: inputs.chooser } : {}),
        });
        return pixelBytes(tf, images);
      });
      const [drawn, height, width] = bytes.shape;
      const pixels = Uint8Array.from(await bytes.data());
      bytes.dispose();
      yield { count: drawn, height, width, pixels };
    }
  } finally {
    noise.dispose();
  }
}

/** Runs `generator` in inference mode on the request's noise and conditions; the posters as bytes. */
export async function makePosters(
  tf: typeof Tf,
  generator: Tf.LayersModel,
  inputs: GeneratorInputs,
  request: PosterRequest,
): Promise<ImageBatch> {
  const parts: ImageBatch[] = [];
  for await (const batch of posterBatches(tf, generator, inputs, request)) parts.push(batch);
  if (parts.length === 1) return parts[0];
  const { height, width } = parts[0];
  return { count: request.count, height, width, pixels: concatenate(parts.map((p) => p.pixels), Uint8Array) };
}
