/**
 * Progressive growing's fade-in (Karras et al. 2018) as a TensorFlow.js layer: while a new, larger size
 * joins the networks, its output is `(1 - alpha) · old + alpha · new`, the old path being the smaller
 * size's, scaled to match. `alpha` rises from 0 to 1 as training goes on (lib/gan/growth.ts sets it
 * before each step); it is a setting, not a weight, so the moving average of the generator's weights
 * and the optimizers never see it, and a saved network keeps the value it had.
 *
 * Registered for serialization, so a network holding it saves and loads like any other.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { FadeIn } from "./fade_in.ts";
 * const fade = new FadeIn({ alpha: 0.25, name: "fade16" });
 * const y = fade.apply([tf.zeros([1, 4, 4, 3]), tf.ones([1, 4, 4, 3])]) as tf.Tensor; // all 0.25
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode FadeIn}. */
export interface FadeInConfig {
  /** The new path's share, from 0 (only the old) to 1 (only the new). Default 0. */
  alpha?: number;
  name?: string;
}

/** Inputs `[old, new]` of one shape; output their blend, of that shape. */
export class FadeIn extends tf.layers.Layer {
  static className = "FadeIn";
  /** The new path's share of the output, read at every call. */
  alpha: number;

  constructor(config: FadeInConfig = {}) {
    super(config.name ? { name: config.name } : {});
    this.alpha = config.alpha ?? 0;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [old, fresh] = inputShape as tf.Shape[];
    if (old.join() !== fresh.join()) {
      throw new Error(`FadeIn ${this.name}: the old path is [${old}], the new one [${fresh}].`);
    }
    return fresh;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [old, fresh] = inputs as tf.Tensor[];
      if (this.alpha >= 1) return fresh.clone();
      if (this.alpha <= 0) return old.clone();
      return old.mul(1 - this.alpha).add(fresh.mul(this.alpha));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

tf.serialization.registerClass(FadeIn);
