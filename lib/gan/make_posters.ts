/**
 * Posters from a generator for a genre and decade: seeded noise, the condition vector, the generator in
 * inference mode (batch norm's moving statistics) and the images as bytes. `tf` is passed in, so the
 * page of `deno task serve` (TensorFlow.js's browser bundle) and `dcgan:sample` (Deno) run the same
 * code: the same seed gives the same noise on both sides (tfjs's own seeded normal generator), and so
 * the same posters within float tolerance.
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
import { conditionFromLayout, type ConditionLayout } from "../models/condition_layout.ts";
import type { ImageBatch } from "./grid_layout.ts";

/** What a generator takes: its noise length and, when conditional, its condition layout. */
export interface GeneratorInputs {
  latentDim: number;
  condition?: ConditionLayout;
}

/** Posters asked for: genres (one or more) and a decade, how many, and the noise seed. */
export interface PosterRequest {
  genres: readonly string[];
  decade: number;
  count: number;
  seed: number;
}

/** `count` noise vectors from N(0, 1), the same for the same seed in Deno and in the browser. */
export function posterNoise(tf: typeof Tf, count: number, latentDim: number, seed: number): Tf.Tensor2D {
  return tf.randomNormal([count, latentDim], 0, 1, "float32", seed) as Tf.Tensor2D;
}

/** Images in [-1, 1] as int32 bytes 0-255 (rounded, clipped), same shape. */
export function pixelBytes(tf: typeof Tf, images: Tf.Tensor4D): Tf.Tensor4D {
  return tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255).toInt() as Tf.Tensor4D);
}

/** The generator's inputs for a request: noise, and the condition repeated per poster when conditional. */
export function posterInputs(tf: typeof Tf, inputs: GeneratorInputs, request: PosterRequest): Tf.Tensor2D[] {
  const noise = posterNoise(tf, request.count, inputs.latentDim, request.seed);
  if (!inputs.condition) return [noise];
  const vector = conditionFromLayout(inputs.condition, request.genres, request.decade);
  const values = new Float32Array(request.count * vector.length);
  for (let i = 0; i < request.count; i++) values.set(vector, i * vector.length);
  return [noise, tf.tensor2d(values, [request.count, vector.length])];
}

/** Runs `generator` in inference mode on the request's noise and condition; the posters as bytes. */
export async function makePosters(
  tf: typeof Tf,
  generator: Tf.LayersModel,
  inputs: GeneratorInputs,
  request: PosterRequest,
): Promise<ImageBatch> {
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`The count of posters must be a positive whole number, got ${request.count}.`);
  }
  const bytes = tf.tidy(() => {
    const given = posterInputs(tf, inputs, request);
    // predict runs batch norm on its moving statistics (inference mode), never on the batch's own.
    const images = generator.predict(given.length === 1 ? given[0] : given) as Tf.Tensor4D;
    return pixelBytes(tf, images);
  });
  const [count, height, width] = bytes.shape;
  const pixels = Uint8Array.from(await bytes.data());
  bytes.dispose();
  return { count, height, width, pixels };
}
