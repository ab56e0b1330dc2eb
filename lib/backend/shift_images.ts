/**
 * Each image of a batch shifted by its own whole number of rows and columns, zeros coming in at the
 * edges; differentiable (the gradient is the opposite shift). The native backend copies pixel runs
 * (native/shift_images.ts); any other backend multiplies by 0/1 shift matrices, which gives the same
 * values, since every output is one input times 1 plus zeros.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { shiftImages } from "./shift_images.ts";
 * const x = tf.range(1, 5).reshape([1, 2, 2, 1]) as tf.Tensor4D;
 * shiftImages(x, [1], [0]).print(); // [[[0], [0]], [[1], [2]]]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SHIFT_IMAGES_KERNEL } from "./native/shift_images.ts";

let gradientRegistered = false;

/** The kernel's gradient: the opposite shift of dy, on the same kernel. */
function registerGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: SHIFT_IMAGES_KERNEL,
    gradFunc: (dy, _saved, attrs) => {
      const negate = (shifts: unknown) => (shifts as number[]).map((s) => -s);
      return {
        x: () =>
          tf.engine().runKernel(SHIFT_IMAGES_KERNEL, { x: dy as tf.Tensor }, {
            rows: negate(attrs.rows),
            columns: negate(attrs.columns),
          }) as tf.Tensor,
      };
    },
  });
  gradientRegistered = true;
}

/**
 * `matrices[b]` moves row k to row k + shift_b (zeros come in at the edge): a batch of 0/1 matrices,
 * so a shift is a batched matrix product.
 */
function shiftMatrices(side: number, shifts: readonly number[]): tf.Tensor3D {
  const values = new Float32Array(shifts.length * side * side);
  shifts.forEach((shift, b) => {
    for (let i = 0; i < side; i++) {
      const from = i - shift;
      if (from >= 0 && from < side) values[b * side * side + i * side + from] = 1;
    }
  });
  return tf.tensor3d(values, [shifts.length, side, side]);
}

/** The shift as matrix products, on any backend. */
function shiftByMatrices(x: tf.Tensor4D, rows: readonly number[], columns: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const byRows = tf.matMul(shiftMatrices(height, rows), x.reshape([batch, height, width * channels]));
    const transposed = byRows.reshape([batch, height, width, channels]).transpose([0, 2, 1, 3]);
    const byColumns = tf.matMul(
      shiftMatrices(width, columns),
      transposed.reshape([batch, width, height * channels]),
    );
    return byColumns.reshape([batch, width, height, channels]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  });
}

/**
 * Image b of `x` moved down by `rows[b]` and right by `columns[b]` pixels (negative: up, left), with
 * zeros where nothing moved in.
 */
export function shiftImages(
  x: tf.Tensor4D,
  rows: readonly number[],
  columns: readonly number[],
): tf.Tensor4D {
  if (rows.length !== x.shape[0] || columns.length !== x.shape[0]) {
    throw new Error(
      `shiftImages: ${rows.length} row and ${columns.length} column shifts for ${x.shape[0]} images.`,
    );
  }
  if (x.dtype !== "float32" || !tf.getKernel(SHIFT_IMAGES_KERNEL, tf.getBackend())) {
    return shiftByMatrices(x, rows, columns);
  }
  registerGradient();
  return tf.engine().runKernel(SHIFT_IMAGES_KERNEL, { x }, {
    rows: [...rows],
    columns: [...columns],
  }) as tf.Tensor4D;
}
