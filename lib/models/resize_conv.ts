/**
 * Nearest-neighbour 2x upsampling followed by a 3x3 'same' convolution, as one TensorFlow.js layer that
 * computes the same function with 16 products per output pixel and channel pair instead of 36.
 *
 * After a nearest 2x resize, the four output pixels of each 2x2 block see only two distinct input
 * rows and two distinct input columns, so the 3x3 kernel folds into a 4x4 kernel of a stride-2
 * transposed convolution: along each axis, taps `[w0, w1, w2]` (offsets -1, 0, +1) become
 * `[w2, w1 + w2, w0 + w1, w0]`. Zero padding agrees as well: the resized map's zero border is the
 * input's zero border. The layer keeps the 3x3 kernel `[3, 3, in, out]` and the bias as its weights,
 * named as a `conv2d` layer's, so its weights are interchangeable with an `upSampling2d` + `conv2d`
 * pair of the same name (lib/models/dcgan.ts builds that pair for exported generators, which any
 * TensorFlow.js then loads without this class).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ResizeConv2D } from "./resize_conv.ts";
 * const layer = new ResizeConv2D({ filters: 8, useBias: false });
 * const out = layer.apply(tf.ones([1, 4, 6, 3])) as tf.Tensor; // [1, 8, 12, 8]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode ResizeConv2D}. */
export interface ResizeConv2DConfig {
  filters: number;
  useBias?: boolean;
  kernelInitializer?: ReturnType<typeof tf.initializers.randomNormal>;
  name?: string;
}

/** Along one axis: row `a` of the 4-tap kernel is the sum of the 3-tap kernel's rows it marks. */
const FOLD = [
  [0, 0, 1],
  [0, 1, 1],
  [1, 1, 0],
  [1, 0, 0],
];

/**
 * The 4x4 transposed-convolution kernel `[4, 4, out, in]` that, at stride 2 with 'same' padding, equals
 * nearest 2x upsampling then `kernel` `[3, 3, in, out]` as a 'same' convolution.
 */
export function foldedKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , inputs, outputs] = kernel.shape;
    const fold = tf.tensor2d(FOLD);
    // Rows: [3, 3·in·out] → [4, 3·in·out]; then columns the same way, after swapping the two axes.
    const rows = tf.matMul(fold, kernel.reshape([3, -1])).reshape([4, 3, inputs * outputs]);
    const columns = tf.matMul(fold, rows.transpose([1, 0, 2]).reshape([3, -1]))
      .reshape([4, 4, inputs, outputs]); // [column, row, in, out]
    return columns.transpose([1, 0, 3, 2]) as tf.Tensor4D;
  });
}

/** Input [batch, height, width, in]; output [batch, 2·height, 2·width, filters]. */
export class ResizeConv2D extends tf.layers.Layer {
  static className = "ResizeConv2D";
  readonly filters: number;
  readonly useBias: boolean;
  private readonly kernelInitializer: ReturnType<typeof tf.initializers.randomNormal>;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: ResizeConv2DConfig) {
    super(config.name ? { name: config.name } : {});
    this.filters = config.filters;
    this.useBias = config.useBias ?? true;
    this.kernelInitializer = config.kernelInitializer ?? tf.initializers.glorotUniform({});
    if (!Number.isInteger(this.filters) || this.filters < 1) {
      throw new Error(`ResizeConv2D: filters must be a whole number from 1, got ${this.filters}.`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = shape.at(-1)!;
    this.kernel = this.addWeight("kernel", [3, 3, inputs, this.filters], "float32", this.kernelInitializer);
    if (this.useBias) {
      this.bias = this.addWeight("bias", [this.filters], "float32", tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4) {
      throw new Error(`ResizeConv2D ${this.name}: expected feature maps, got [${shape}].`);
    }
    const twice = (side: number | null) => side === null ? null : 2 * side;
    return [shape[0], twice(shape[1]), twice(shape[2]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [batch, height, width] = x.shape;
      const kernel = foldedKernel(this.kernel!.read() as tf.Tensor4D);
      const y = tf.conv2dTranspose(x, kernel, [batch, 2 * height, 2 * width, this.filters], 2, "same");
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // No initializer: a loaded layer's weights come from its file.
    return { ...super.getConfig(), filters: this.filters, useBias: this.useBias };
  }
}

tf.serialization.registerClass(ResizeConv2D);
