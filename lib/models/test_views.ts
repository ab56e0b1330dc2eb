/**
 * Test-time views: a network's outputs for a batch of posters, averaged with its outputs for their
 * mirror images when asked (`ModelConfig.testTimeMirror`). A genre poster's layout is not tied to its
 * left and right, so the mirror is a second look whose errors differ from the first's; the average
 * errs less. The page and Deno both call this, so they answer alike.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { predictViews } from "./test_views.ts";
 * const input = tf.input({ shape: [4, 2, 3] });
 * const net = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(input) as tf.SymbolicTensor });
 * const [out] = predictViews(tf, net, tf.randomUniform([5, 4, 2, 3]) as tf.Tensor4D, true);
 * console.log(out.shape); // [5, 24]
 * ```
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";

/** What runs images to outputs: a model, or models one after the other ({@linkcode chain}). */
export type Network = Pick<Tf.LayersModel, "predict">;

/** `second` run on what `first` gives: a pretrained branch's frozen network and its head as one. */
export function chain(first: Network, second: Network): Network {
  return { predict: (x: Tf.Tensor | Tf.Tensor[]) => second.predict(first.predict(x)) };
}

/**
 * `network`'s outputs for `images` (`[n, height, width, channels]`), each output a tensor of `n` rows;
 * with `mirror`, each row is the mean of the poster's and its left-right mirror's. The caller disposes
 * the returned tensors.
 */
export function predictViews(
  tf: typeof Tf,
  network: Network,
  images: Tf.Tensor4D,
  mirror: boolean,
): Tf.Tensor[] {
  return tf.tidy(() => {
    const n = images.shape[0];
    // One pass over both views: a batch of 2n costs less than two of n.
    const input = mirror ? tf.concat([images, tf.reverse(images, 2)], 0) : images;
    const out = network.predict(input);
    const outputs = Array.isArray(out) ? out : [out];
    if (!mirror) return outputs;
    return outputs.map((t) => {
      const [plain, mirrored] = tf.split(t, [n, n], 0);
      return tf.add(plain, mirrored).div(2);
    });
  });
}
