/**
 * `applied(layer)(x)`: a layer applied to a symbolic tensor, typed as one, so a network's builder reads
 * as a chain of layers. The DCGAN's builders and the style generator build with it.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { appliedWith } from "./applied_layer.ts";
 * const layers = new Map<string, tf.layers.Layer>();
 * const applied = appliedWith(layers);
 * const x = tf.input({ shape: [4] });
 * const a = applied(tf.layers.dense({ units: 2, name: "shared" }))(x);
 * const b = applied(tf.layers.dense({ units: 2, name: "shared" }))(x); // the first "shared" layer again
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** A layer's application to a symbolic tensor (or several). */
export type Applied = (
  layer: tf.layers.Layer,
) => (x: tf.SymbolicTensor | tf.SymbolicTensor[]) => tf.SymbolicTensor;

/**
 * `applied(layer)(x)`: the layer applied to `x`. With `layers` (a growing network's, lib/gan/growth.ts), a
 * layer of a name already there is that one, so every size of a growing network shares its weights.
 */
export function appliedWith(layers?: Map<string, tf.layers.Layer>): Applied {
  return (layer) => (x) => {
    let shared = layers?.get(layer.name);
    if (!shared) {
      shared = layer;
      layers?.set(layer.name, layer);
    }
    return shared.apply(x) as tf.SymbolicTensor;
  };
}
