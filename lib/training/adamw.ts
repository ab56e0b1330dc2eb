/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"): Adam whose weight decay
 * shrinks the weights directly, `w ← w - lr·λ·w`, instead of adding `λ·w` to the gradient, where
 * Adam's per-weight scaling would weaken it for the weights with large gradients. TensorFlow.js has
 * no AdamW; this is `tf.AdamOptimizer` with that one step before its update.
 *
 * Only kernels (conv and dense weights, named `.../kernel`) decay, not biases or batch-norm scales,
 * as is usual. The learning rate can change per step (for a schedule); the moments and the
 * iteration count are Adam's own, so `getWeights`/`setWeights` and checkpoints are tfjs's format.
 *
 * ```ts
 * import type * as tf from "@tensorflow/tfjs";
 * import { AdamWOptimizer } from "./adamw.ts";
 * declare const loss: () => tf.Scalar;
 * declare const variables: tf.Variable[];
 * const optimizer = new AdamWOptimizer(1e-3, 0.05);
 * optimizer.setLearningRate(5e-4);
 * optimizer.minimize(() => loss(), false, variables);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FusedAdamOptimizer } from "./adam.ts";

/**
 * Whether a variable decays: conv and dense kernels do, biases and batch-norm parameters don't.
 * A model loaded while another with the same layer names exists gets `kernel_1`, `kernel_2`, ...
 */
export function decays(variableName: string): boolean {
  return /\/kernel(_\d+)?$/.test(variableName);
}

/**
 * Adam with decoupled weight decay (the learning rate is settable, as FusedAdamOptimizer's); the Adam
 * step is the project's fused one on the wasm and native backends (adam.ts), tfjs's elsewhere.
 */
export class AdamWOptimizer extends FusedAdamOptimizer {
  /** @param weightDecay λ: each step multiplies a kernel by `1 - learningRate·λ` before Adam's update. */
  constructor(
    learningRate: number,
    readonly weightDecay: number,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-8,
  ) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const shrink = 1 - this.currentLearningRate * this.weightDecay;
    if (shrink !== 1) {
      tf.tidy(() => {
        for (const name of names) {
          if (!decays(name)) continue;
          const value = tf.engine().registeredVariables[name];
          value.assign(tf.mul(value, shrink));
        }
      });
    }
    super.applyGradients(variableGradients);
  }
}
