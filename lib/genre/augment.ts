/**
 * Training-time augmentation of poster batches, done on the uint8 pixels while a batch is converted
 * to float32 (so it costs no tensor ops): per image a random shift and zoom (nearest pixel, edges
 * repeated), optionally a mirror, then brightness, contrast and saturation factors.
 *
 * ```ts
 * import { DEFAULT_AUGMENT } from "../config.ts";
 * import type { GenreData } from "../dataset/types.ts";
 * import { seededRandom } from "../util/random.ts";
 * import { augmentBatch } from "./augment.ts";
 * declare const train: GenreData;
 * const indices = [0, 1, 2, 3];
 * const batch = augmentBatch(train, indices, DEFAULT_AUGMENT, seededRandom(7));
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AugmentConfig } from "../config.ts";
import type { GenreData } from "../dataset/types.ts";

/** The random draw for one image. */
export interface ImageTransform {
  /** Shift in pixels (positive: content moves right / down). */
  dx: number;
  dy: number;
  /** Zoom factor, 1 or more. */
  scale: number;
  mirror: boolean;
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Draws one image's transform from `config`. */
export function drawTransform(
  config: AugmentConfig,
  width: number,
  height: number,
  random: () => number,
): ImageTransform {
  const symmetric = (amount: number) => (2 * random() - 1) * amount;
  return {
    dx: Math.round(symmetric(config.shift * width)),
    dy: Math.round(symmetric(config.shift * height)),
    scale: 1 + random() * config.scale,
    mirror: config.mirror && random() < 0.5,
    brightness: 1 + symmetric(config.brightness),
    contrast: 1 + symmetric(config.contrast),
    saturation: 1 + symmetric(config.saturation),
  };
}

/**
 * Writes one transformed image: `source` is `height·width·3` uint8 (HWC), `out` receives float32 in
 * [0, 1] at `offset`.
 */
export function transformImage(
  source: Uint8Array,
  width: number,
  height: number,
  t: ImageTransform,
  out: Float32Array,
  offset = 0,
): void {
  let sum = 0;
  for (let j = 0; j < source.length; j++) sum += source[j];
  const mean = sum / source.length / 255;
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
  for (let y = 0; y < height; y++) {
    const sy = clamp(Math.round((y - cy - t.dy) / t.scale + cy), height - 1);
    for (let x = 0; x < width; x++) {
      const mx = t.mirror ? width - 1 - x : x;
      const sx = clamp(Math.round((mx - cx - t.dx) / t.scale + cx), width - 1);
      const src = (sy * width + sx) * 3;
      const r = source[src] / 255, g = source[src + 1] / 255, b = source[src + 2] / 255;
      const grey = (r + g + b) / 3;
      const dst = offset + (y * width + x) * 3;
      for (const [c, v] of [[0, r], [1, g], [2, b]] as const) {
        const saturated = grey + t.saturation * (v - grey);
        const contrasted = mean + t.contrast * (saturated - mean);
        out[dst + c] = clamp(contrasted * t.brightness, 1);
      }
    }
  }
}

/** The rows `indices` of `data` as a float32 batch, each image randomly transformed. */
export function augmentBatch(
  data: GenreData,
  indices: ArrayLike<number>,
  config: AugmentConfig,
  random: () => number,
): tf.Tensor4D {
  const [, height, width] = data.shape;
  const per = height * width * 3;
  const out = new Float32Array(indices.length * per);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k];
    if (!Number.isInteger(row) || row < 0 || row >= data.movies.length) {
      throw new RangeError(`Row ${row} is outside the ${data.movies.length} ${data.split} movies.`);
    }
    const source = data.pixels.subarray(row * per, (row + 1) * per);
    transformImage(source, width, height, drawTransform(config, width, height, random), out, k * per);
  }
  return tf.tensor4d(out, [indices.length, height, width, 3]);
}
