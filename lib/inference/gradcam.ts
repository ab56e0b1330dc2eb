/**
 * Class-activation maps (Grad-CAM, Selvaraju et al. 2017) of the genre CNN: where on the poster the
 * last convolutional layer saw what raised a genre's score.
 *
 * For genre c with score y_c and the last conv layer's activations A (h x w x K):
 * `cam = relu(sum_k alpha_k A_k)` with `alpha_k` the mean over the map of dy_c/dA_k, then scaled to
 * [0, 1]. The score is the sigmoid output; its gradient is the logit's times p(1-p) > 0, a constant
 * factor per genre that the scaling removes, so the maps equal those of the logit.
 *
 * The module takes TensorFlow.js as an argument and imports nothing at run time, so the browser page
 * of `deno task serve` runs this same code (bundled) on the tfjs it loads.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadGenreModel } from "../models/saved.ts";
 * import { gradCam, heatmapRgba } from "./gradcam.ts";
 * const { model, metadata } = await loadGenreModel("genres7_ratio30_v1_e2_1977-2017_bce");
 * const { width, height } = metadata.imageSize;
 * const image = tf.zeros([1, height, width, 3]) as tf.Tensor4D;
 * const { probabilities, maps } = gradCam(tf, model, image, [0, 2]);
 * console.log(probabilities);
 * const rgba = heatmapRgba(maps[0], 0.5);
 * ```
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";

/** The TensorFlow.js namespace (Deno's import, or the browser's `tf` global). */
export type TfNamespace = typeof Tf;

/** A map over the last conv layer's grid, values in [0, 1], row-major. */
export interface ActivationMap {
  width: number;
  height: number;
  values: Float32Array;
}

/** Index in `model.layers` of the last 2D convolution; an error when the model has none. */
export function lastConvLayerIndex(model: Tf.LayersModel): number {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    if (model.layers[i].getClassName() === "Conv2D") return i;
  }
  throw new Error(`Model ${model.name} has no Conv2D layer: class-activation maps need one.`);
}

/** Runs `layers` one after the other (a Sequential model's chain), dropout off. */
export function applyChain(layers: readonly Tf.layers.Layer[], input: Tf.Tensor): Tf.Tensor {
  let x = input;
  for (const layer of layers) x = layer.apply(x, { training: false }) as Tf.Tensor;
  return x;
}

/**
 * The model cut after its last conv layer (and the batch norm and activation right after it): `trunk`
 * maps an image to that layer's activations, `head` those to the genre output. Other outputs
 * (regression heads for year and rating) are left out of `head`.
 */
export function splitAtLastConv(
  model: Tf.LayersModel,
): { trunk: Tf.layers.Layer[]; head: Tf.layers.Layer[] } {
  const otherOutputs = new Set(model.outputs.slice(1).map((output) => output.sourceLayer));
  const layers = model.layers.filter((layer) =>
    layer.getClassName() !== "InputLayer" && !otherOutputs.has(layer)
  );
  let cut = layers.indexOf(model.layers[lastConvLayerIndex(model)]) + 1;
  // A conv without its own activation (conv → batch norm → ReLU): the map is taken after them.
  while (cut < layers.length && CONV_FOLLOWERS.has(layers[cut].getClassName())) cut++;
  const end = layers.indexOf(model.outputs[0].sourceLayer as Tf.layers.Layer) + 1;
  return { trunk: layers.slice(0, cut), head: layers.slice(cut, end) };
}

/** Layers that finish a convolution's output without changing its grid. */
const CONV_FOLLOWERS = new Set(["BatchNormalization", "Activation", "ReLU", "LeakyReLU"]);

/**
 * The genre probabilities of one image (`[1, height, width, 3]`, floats in [0, 1]) and a map for each
 * of `genreIndices`. The model is a chain of layers up to its first output, the genres (as the genre
 * CNN is; regression heads may branch off the last hidden layer).
 */
export function gradCam(
  tf: TfNamespace,
  model: Tf.LayersModel,
  image: Tf.Tensor4D,
  genreIndices: readonly number[],
): { probabilities: Float32Array; maps: ActivationMap[] } {
  const { trunk, head } = splitAtLastConv(model);
  return tf.tidy(() => {
    const features = applyChain(trunk, image) as Tf.Tensor4D;
    const [, height, width] = features.shape;
    const probabilities = applyChain(head, features).dataSync() as Float32Array;
    const maps = genreIndices.map((genre) => {
      const gradient = tf.grad((a: Tf.Tensor) =>
        (applyChain(head, a) as Tf.Tensor2D).slice([0, genre], [1, 1]).sum()
      )(features);
      const weights = gradient.mean([1, 2], true); // [1, 1, 1, K]
      const cam = tf.relu(features.mul(weights).sum(-1)); // [1, h, w]
      const peak = cam.max().dataSync()[0];
      const values = (peak > 0 ? cam.div(peak) : cam).dataSync() as Float32Array;
      return { width, height, values: Float32Array.from(values) };
    });
    return { probabilities: Float32Array.from(probabilities), maps };
  });
}

/** The "jet" colour scale: 0 dark blue, 0.5 green-yellow, 1 dark red; RGB 0-255. */
export function jetColor(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  const channel = (offset: number) =>
    Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - offset))));
  return [channel(3), channel(2), channel(1)];
}

/**
 * RGBA pixels (row-major, map size) of a map in the jet scale, for drawing over a poster. Opacity
 * grows with the value up to `opacity`, so parts the network ignores leave the poster visible.
 */
export function heatmapRgba(map: ActivationMap, opacity: number): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(map.width * map.height * 4);
  for (let i = 0; i < map.values.length; i++) {
    const [r, g, b] = jetColor(map.values[i]);
    rgba.set([r, g, b, Math.round(255 * opacity * (0.25 + 0.75 * map.values[i]))], i * 4);
  }
  return rgba;
}
