/**
 * StyleGAN2's modulated convolution (Karras et al. 2020) as a TensorFlow.js layer: a style vector scales
 * each input channel per sample (a learned affine map of the style, starting at 1), the convolution runs
 * with weights shared by the batch, and each output channel is divided by the norm its sample's scaled
 * weights would give it (demodulation), so the style sets what a layer draws without the statistics
 * batch norm takes from the batch. Computed as StyleGAN2's non-fused form: scale the input, convolve,
 * scale the output; `(s^2) · Σ_taps W^2` gives every sample's norms in one product.
 *
 * The kernel is stored as N(0, 1) and scaled by `1/sqrt(fan-in)` at every call (their equalised
 * learning rate), so Adam's steps move every layer at the same relative rate.
 *
 * Registered for serialization, so a generator holding it saves and loads like any other.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ModulatedConv2D } from "./modulated_conv.ts";
 * const conv = new ModulatedConv2D({ filters: 8, kernelSize: 3, seed: 1 });
 * const y = conv.apply([tf.zeros([2, 6, 4, 16]), tf.ones([2, 32])]) as tf.Tensor; // [2, 6, 4, 8]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode ModulatedConv2D}: a square kernel, stride 1, "same" padding. */
export interface ModulatedConv2DConfig {
  filters: number;
  kernelSize: number;
  /** Divide each output channel by its per-sample weight norm (StyleGAN2's demodulation). Default true. */
  demodulate?: boolean;
  /** Seed of the kernel's and the style map's initialisers. */
  seed?: number;
  name?: string;
}

/** Inputs `[x, style]`: `x` [n, h, w, channels], `style` [n, styleSize]; output [n, h, w, filters]. */
export class ModulatedConv2D extends tf.layers.Layer {
  static className = "ModulatedConv2D";
  private readonly settings: Required<Omit<ModulatedConv2DConfig, "name">>;
  private kernel!: tf.LayerVariable;
  private styleKernel!: tf.LayerVariable;
  private styleBias!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(config: ModulatedConv2DConfig) {
    super(config.name ? { name: config.name } : {});
    const { name: _name, ...settings } = config;
    this.settings = { demodulate: true, seed: 1, ...settings };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, styleShape] = inputShape as tf.Shape[];
    const channels = xShape[3]!;
    const { filters, kernelSize, seed } = this.settings;
    const normal = (s: number) => tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: s });
    this.kernel = this.addWeight(
      "kernel",
      [kernelSize, kernelSize, channels, filters],
      "float32",
      normal(seed),
    );
    // The style map starts near zero with a bias of 1: every channel starts unscaled.
    this.styleKernel = this.addWeight(
      "style_kernel",
      [styleShape[1]!, channels],
      "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: seed + 1 }),
    );
    this.styleBias = this.addWeight("style_bias", [channels], "float32", tf.initializers.ones());
    this.bias = this.addWeight("bias", [filters], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [xShape] = inputShape as tf.Shape[];
    return [xShape[0], xShape[1], xShape[2], this.settings.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, style] = inputs as tf.Tensor[];
      const [n, , , channels] = x.shape;
      const { kernelSize, filters, demodulate } = this.settings;
      const weight = this.kernel.read().mul(
        1 / Math.sqrt(kernelSize * kernelSize * channels!),
      ) as tf.Tensor4D;
      const scales = tf.matMul(style as tf.Tensor2D, this.styleKernel.read() as tf.Tensor2D)
        .add(this.styleBias.read()) as tf.Tensor2D;
      let y = tf.conv2d(
        x.mul(scales.reshape([n!, 1, 1, channels!])) as tf.Tensor4D,
        weight,
        1,
        "same",
      ) as tf.Tensor;
      if (demodulate) {
        const tapsSquared = weight.square().sum([0, 1]) as tf.Tensor2D; // [channels, filters]
        const norms = tf.matMul(scales.square(), tapsSquared).add(1e-8).rsqrt(); // [n, filters]
        y = y.mul(norms.reshape([n!, 1, 1, filters]));
      }
      return y.add(this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.settings };
  }
}
tf.serialization.registerClass(ModulatedConv2D);
