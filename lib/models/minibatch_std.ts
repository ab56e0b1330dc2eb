/**
 * ProGAN's minibatch standard deviation (Karras et al. 2018) as a TensorFlow.js layer: the batch is cut
 * into groups of `groupSize` posters; within each group, every feature's standard deviation across the
 * group's posters is averaged into one number, and that number joins each poster of the group as one
 * more channel, constant over the map. A discriminator that reads it sees how varied a batch is, which
 * one poster alone cannot show, so a generator that draws too few kinds of poster is told apart.
 *
 * A batch whose size `groupSize` does not divide is cut into groups of its largest divisor below
 * `groupSize` (one poster alone: a deviation of about 0). Group `g` holds posters `g`, `g + G`,
 * `g + 2G`, ..., where `G` is the number of groups. It has no weights; registered for serialization.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { MinibatchStd } from "./minibatch_std.ts";
 * const layer = new MinibatchStd({ groupSize: 2 });
 * const maps = tf.tensor4d([0, 2, 1, 1], [2, 1, 1, 2]);
 * const out = layer.apply(maps) as tf.Tensor; // [2, 1, 1, 3]; both features differ by 0.5: the last channel is 0.5
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode MinibatchStd}. */
export interface MinibatchStdConfig {
  /** Posters per group; default 4, ProGAN's and StyleGAN2's. */
  groupSize?: number;
  name?: string;
}

/** The group size a batch of `batch` posters is cut into: the largest divisor of it up to `groupSize`. */
export function groupSizeFor(batch: number, groupSize: number): number {
  for (let size = Math.min(groupSize, batch); size > 1; size--) if (batch % size === 0) return size;
  return 1;
}

/** Input [batch, height, width, channels]; output [batch, height, width, channels + 1]. */
export class MinibatchStd extends tf.layers.Layer {
  static className = "MinibatchStd";
  readonly groupSize: number;

  constructor(config: MinibatchStdConfig = {}) {
    super(config.name ? { name: config.name } : {});
    this.groupSize = config.groupSize ?? 4;
    if (!Number.isInteger(this.groupSize) || this.groupSize < 1) {
      throw new Error(`MinibatchStd: the group size must be a whole number from 1, got ${this.groupSize}.`);
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4) {
      throw new Error(`MinibatchStd ${this.name}: expected feature maps, got [${shape}].`);
    }
    return [shape[0], shape[1], shape[2], shape[3]! + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [batch, height, width] = x.shape;
      const size = groupSizeFor(batch, this.groupSize);
      const groups = batch / size;
      // [size, groups·features]: poster g + k·groups is member k of group g. The means over the group
      // and the copies over the map are matrix products: their gradients are products too, where
      // TensorFlow.js would transpose for a mean over the first axis and slice for a tile.
      const members = x.reshape([size, groups * height * width * x.shape[3]]);
      const average = tf.fill([1, size], 1 / size);
      const centred = members.sub(tf.matMul(average, members));
      // A small floor under the variance keeps the square root's gradient finite when a group agrees.
      const deviation = tf.matMul(average, centred.square()).add(1e-8).sqrt(); // [1, groups·features]
      const spread = deviation.reshape([groups, -1]).mean(1, true); // [groups, 1]
      const perPoster = tf.matMul(tf.ones([size, 1]), spread, false, true).reshape([batch, 1]);
      const channel = tf.matMul(perPoster, tf.ones([1, height * width])).reshape([batch, height, width, 1]);
      return tf.concat([x, channel], 3);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groupSize: this.groupSize };
  }
}

tf.serialization.registerClass(MinibatchStd);
