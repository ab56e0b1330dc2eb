/**
 * Convolution layers that compute, in a backward pass, only the gradients it asks for, on every
 * backend.
 *
 * tfjs-layers' `Conv2D` runs `tf.fused.conv2d`, and with a linear activation (every convolution
 * followed by a batch norm, or by a separate activation) tfjs-core keeps the fused op while
 * gradients are recorded. Its gradient (a `customGrad`) computes the filter's and the input's
 * gradients together, whether or not the backward pass needs both. A GAN step needs far fewer: the
 * generator's update has no use for the discriminator's filter gradients, and no update needs the
 * gradient of the images its first layer reads. Measured on the recommended DCGAN step (64x96, 32
 * filters, native backend), the unused ones were a twentieth of the step.
 *
 * {@linkcode installLazyConvGradients} makes `Conv2D` layers, while a gradient is being recorded,
 * run `tf.conv2d`, the bias's add and the activation as three ops: tfjs-core's registered gradients
 * of each give one closure per input, and the backward pass calls only those of inputs that lead to
 * what it differentiates. Outside gradient recording (inference) the layer keeps its fused op. The
 * values are the same ops' values; only which gradients run changes.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { installLazyConvGradients } from "./lazy_conv_gradients.ts";
 * installLazyConvGradients();
 * const layer = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same" });
 * const x = tf.ones([1, 4, 4, 1]);
 * layer.apply(x); // builds the layer
 * // The input's gradient only: the filter's gradient is never computed.
 * const dx = tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).sum())(x);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The members of tfjs-layers' Conv2D that its `call` reads (untyped in the public API). */
interface ConvLayer {
  rank: number;
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  strides: [number, number];
  padding: "same" | "valid" | "causal";
  dataFormat: "channelsFirst" | "channelsLast";
  dilationRate: number | [number, number];
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** tfjs-core's engine state: gradients are being recorded while its depth is above 0. */
function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

let restore: (() => void) | undefined;

/**
 * Makes `tf.layers.conv2d` layers record unfused ops while a gradient is being recorded, once; the
 * returned function restores tfjs's own `call`.
 */
export function installLazyConvGradients(): () => void {
  if (restore) return () => {};
  const prototype = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as ConvLayer;
  const tfjsCall = prototype.call;
  prototype.call = function (this: ConvLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const unfused = recordingGradients() && input !== undefined && input.rank === 4 && this.rank === 2 &&
      this.dataFormat === "channelsLast" && this.padding !== "causal";
    if (!unfused) return tfjsCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const convolved = tf.conv2d(
        input as tf.Tensor4D,
        this.kernel.read() as tf.Tensor4D,
        this.strides,
        this.padding as "same" | "valid",
        "NHWC",
        this.dilationRate,
      );
      const biased = this.bias ? tf.add(convolved, this.bias.read()) : convolved;
      return this.activation ? this.activation.apply(biased) : biased;
    });
  };
  restore = () => {
    prototype.call = tfjsCall;
    restore = undefined;
  };
  return restore;
}
