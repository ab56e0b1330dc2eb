/**
 * The genre CNN of the original project, in TensorFlow.js layers.
 *
 * conv32 (same) → conv32 → maxpool 2 → dropout .25 → conv64 (same) → conv64 → maxpool 2 →
 * dropout .25 → dense 512 → dropout .5 → dense(genres, sigmoid).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelVersion } from "../config.ts";
import { buildModernCnn } from "./cnn_v4.ts";

/** What the network needs to know to be built. */
export interface GenreCnnShape {
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Number of genres (sigmoid outputs). */
  genres: number;
  /** 1: 3x3 kernels; 2: 10% of the width; 3: 20% of the width; 4: the modern recipe (cnn_v4.ts). */
  version: ModelVersion;
  /** Seed for the weight initialisers, so two builds start equal. */
  seed?: number;
  /** Version 4 only: dropout before the output layer. */
  dropout?: number;
}

/**
 * Kernel sizes of the two conv blocks for a version and image width.
 *
 * v1 is 3x3 in both blocks. v2 and v3 use a square kernel of 10% or 20% of the width
 * (rounded, at least 2) in the first block and half of it (rounded, at least 1) in the second,
 * as the original project did.
 */
export function kernelSizes(version: ModelVersion, width: number): [number, number] {
  if (version === 1) return [3, 3];
  if (version !== 2 && version !== 3) {
    throw new Error(
      `Model version ${version} has no kernel sizes: use 1 (3x3), 2 (10% of width) or 3 (20% of width); ` +
        `4 is the modern recipe (3x3 throughout).`,
    );
  }
  const first = Math.max(2, Math.round(width * (version === 2 ? 0.1 : 0.2)));
  return [first, Math.max(1, Math.round(first / 2))];
}

/** Builds the (uncompiled) genre CNN. Output: one independent probability per genre. */
export function buildGenreCnn(shape: GenreCnnShape): tf.Sequential {
  if (shape.version === 4) return buildModernCnn(shape);
  const [k1, k2] = kernelSizes(shape.version, shape.width);
  let seed = shape.seed ?? 42;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (filters: number, kernel: number, padding: "same" | "valid", inputShape?: number[]) =>
    tf.layers.conv2d({
      filters,
      kernelSize: kernel,
      padding,
      activation: "relu",
      kernelInitializer: init(),
      ...(inputShape ? { inputShape } : {}),
    });
  const model = tf.sequential({ name: `genre_cnn_v${shape.version}` });
  model.add(conv(32, k1, "same", [shape.height, shape.width, 3]));
  model.add(conv(32, k1, "valid"));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.dropout({ rate: 0.25, seed: seed++ }));
  model.add(conv(64, k2, "same"));
  model.add(conv(64, k2, "valid"));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.dropout({ rate: 0.25, seed: seed++ }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 512, activation: "relu", kernelInitializer: init() }));
  model.add(tf.layers.dropout({ rate: 0.5, seed: seed++ }));
  model.add(tf.layers.dense({ units: shape.genres, activation: "sigmoid", kernelInitializer: init() }));
  return model;
}
