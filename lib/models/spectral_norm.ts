/**
 * Spectral normalisation (Miyato et al., 2018) as TensorFlow.js layers: a convolution and a dense layer
 * whose kernel is divided by its largest singular value, estimated by one power iteration per training
 * call with a persistent vector `u`. It caps how fast the discriminator's output can change with its
 * input (Lipschitz constant about 1 per layer), which keeps the generator's gradients useful.
 *
 * The layers are registered for serialization, so models holding them save and load like any other.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { SpectralConv2D } from "./spectral_norm.ts";
 * const conv = new SpectralConv2D({ filters: 8, kernelSize: 4, strides: 2, seed: 1 });
 * const y = conv.apply(tf.zeros([1, 16, 16, 3])) as tf.Tensor; // [1, 8, 8, 8]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Passes `x` through with no gradient (tfjs has no public stopGradient). */
const stopGradient = tf.customGrad((x, _save) => ({
  value: (x as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
})) as (x: tf.Tensor) => tf.Tensor;

/**
 * `kernel` divided by its spectral norm, seen as a [rows, outputs] matrix; `u` [1, outputs] is the
 * running estimate of the top left-singular vector. Returns the normalised kernel and the next `u`.
 */
export function spectralNormalise(kernel: tf.Tensor, u: tf.Tensor2D): { kernel: tf.Tensor; u: tf.Tensor2D } {
  const outputs = kernel.shape.at(-1)!;
  const matrix = kernel.reshape([-1, outputs]) as tf.Tensor2D;
  const fixed = stopGradient(matrix) as tf.Tensor2D;
  const normalize = (x: tf.Tensor2D) => x.div(x.norm().add(1e-12)) as tf.Tensor2D;
  const v = normalize(tf.matMul(u, fixed, false, true)); // [1, rows]
  const nextU = normalize(tf.matMul(v, fixed)); // [1, outputs]
  const sigma = tf.matMul(
    tf.matMul(stopGradient(v) as tf.Tensor2D, matrix),
    stopGradient(nextU),
    false,
    true,
  );
  return { kernel: kernel.div(sigma.reshape([])), u: nextU };
}

interface SpectralConfig {
  /** Seed of the N(0, 0.02) kernel initialiser (DCGAN's) and of `u`. */
  seed?: number;
  useBias?: boolean;
  name?: string;
}

/**
 * What both spectral layers share: the settings, the weights (`kernel`, optional `bias`, the
 * non-trainable power-iteration vector `u`, created in that order) and the normalised kernel of a call.
 */
abstract class SpectralLayer<C extends SpectralConfig> extends tf.layers.Layer {
  protected readonly settings: Required<Omit<SpectralConfig, "name">> & Omit<C, "name">;
  private kernel!: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private u!: tf.LayerVariable;

  constructor(config: C) {
    super(config.name ? { name: config.name } : {});
    const { name: _name, ...settings } = config;
    this.settings = { seed: 1, useBias: true, ...settings };
  }

  /** Creates the weights for a kernel of `kernelShape`, whose last axis is the `outputs`. */
  protected addSpectralWeights(kernelShape: number[]): void {
    const { seed, useBias } = this.settings;
    const outputs = kernelShape.at(-1)!;
    this.kernel = this.addWeight(
      "kernel",
      kernelShape,
      "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed }),
    );
    if (useBias) this.bias = this.addWeight("bias", [outputs], "float32", tf.initializers.zeros());
    this.u = this.addWeight(
      "u",
      [1, outputs],
      "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: seed + 1 }),
      undefined,
      false,
    );
    this.built = true;
  }

  /** `apply(x, normalised kernel)` plus the bias; a training call also moves `u` on. */
  protected applyNormalised(
    inputs: tf.Tensor | tf.Tensor[],
    training: boolean | undefined,
    apply: (x: tf.Tensor, kernel: tf.Tensor) => tf.Tensor,
  ): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
      const { kernel, u } = spectralNormalise(this.kernel.read(), this.u.read() as tf.Tensor2D);
      if (training) this.u.write(u);
      const y = apply(x, kernel);
      return this.bias ? y.add(this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.settings };
  }
}

/** The first shape of `inputShape` (a layer may be given a list of them). */
function firstShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** Options of {@linkcode SpectralConv2D}: a square kernel, "same" padding. */
export interface SpectralConv2DConfig extends SpectralConfig {
  filters: number;
  kernelSize: number;
  strides: number;
}

/** A 2-D convolution ("same" padding) with a spectrally normalised kernel. */
export class SpectralConv2D extends SpectralLayer<SpectralConv2DConfig> {
  static className = "SpectralConv2D";

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const { filters, kernelSize } = this.settings;
    this.addSpectralWeights([kernelSize, kernelSize, firstShape(inputShape)[3]!, filters]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = firstShape(inputShape);
    const s = this.settings.strides;
    return [
      shape[0],
      shape[1] === null ? null : Math.ceil(shape[1] / s),
      shape[2] === null ? null : Math.ceil(shape[2] / s),
      this.settings.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return this.applyNormalised(
      inputs,
      kwargs?.training,
      (x, kernel) => tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, this.settings.strides, "same"),
    );
  }
}

/** Options of {@linkcode SpectralDense}. */
export interface SpectralDenseConfig extends SpectralConfig {
  units: number;
}

/** A dense layer (no activation) with a spectrally normalised kernel. */
export class SpectralDense extends SpectralLayer<SpectralDenseConfig> {
  static className = "SpectralDense";

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.addSpectralWeights([firstShape(inputShape).at(-1)!, this.settings.units]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...firstShape(inputShape).slice(0, -1), this.settings.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return this.applyNormalised(
      inputs,
      kwargs?.training,
      (x, kernel) => tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D),
    );
  }
}

tf.serialization.registerClass(SpectralConv2D);
tf.serialization.registerClass(SpectralDense);
