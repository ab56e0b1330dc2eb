/**
 * A batch of NHWC images, each shifted by its own whole number of rows and columns, with zeros
 * coming in at the edges: DiffAugment's translation (lib/gan/augment.ts) as one copy of pixel runs
 * on the WASM heap. Elsewhere the same shift runs as two batched products with 0/1 matrices and two
 * transposes (lib/backend/shift_images.ts), a tenth of the recommended DCGAN step on native.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "../wasm_kernels/shipped.ts";

/** x → y with y[b, i, j] = x[b, i - rows[b], j - columns[b]] where inside, else 0; attrs rows, columns. */
export const SHIFT_IMAGES_KERNEL = "PosterlabShiftImages";

/**
 * Writes into `y` the images of `x` ([n, h, w, c] flattened) shifted down by `rows[b]` and right by
 * `columns[b]` (negative: up, left).
 */
export function shiftInto(
  x: Float32Array,
  y: Float32Array,
  [n, h, w, c]: number[],
  rows: readonly number[],
  columns: readonly number[],
): void {
  const line = w * c;
  for (let b = 0; b < n; b++) {
    const shift = columns[b];
    // Output columns [start, end) come from input columns [start - shift, end - shift).
    const start = Math.min(w, Math.max(0, shift)), end = Math.max(start, Math.min(w, w + shift));
    for (let i = 0; i < h; i++) {
      const out = (b * h + i) * line, from = i - rows[b];
      if (from < 0 || from >= h || start === end) {
        y.fill(0, out, out + line);
        continue;
      }
      const source = (b * h + from) * line;
      y.fill(0, out, out + start * c);
      y.set(x.subarray(source + (start - shift) * c, source + (end - shift) * c), out + start * c);
      y.fill(0, out + end * c, out + line);
    }
  }
}

function shiftImagesKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const x = inputs.x!;
  const y = backend.makeOutput(x.shape, "float32");
  // Views after the output is allocated: an allocation may grow the heap and detach older views.
  shiftInto(
    backend.typedArrayFromHeap(x) as Float32Array,
    backend.typedArrayFromHeap(y) as Float32Array,
    x.shape,
    attrs!.rows as number[],
    attrs!.columns as number[],
  );
  return y;
}

/** The kernel, for the native backend's kernel list. */
export const shiftImagesConfig: tf.KernelConfig = {
  kernelName: SHIFT_IMAGES_KERNEL,
  backendName: "native",
  kernelFunc: shiftImagesKernel as unknown as tf.KernelFunc,
};
