/**
 * Conv2DBackpropFilter for the wasm backend, which ships none (so nothing with a conv layer trains).
 *
 * The filter gradient dW[i,j,c,o] = Σ_{n,y,x} X[n, y·s+i-pt, x·s+j-pl, c] · dY[n,y,x,o] is itself a
 * convolution once batch and channels swap places: the input is X with axes (c, h, w, n), the "filter"
 * is dY with axes (y, x, n, o) dilated by the stride, and the output (c, i, j, o) has the filter's
 * spatial size. That runs as ONE XNNPACK convolution instead of a loop of small products.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2d, free, type KernelArgs, slice } from "./shipped.ts";
import { transposeFast } from "./transpose.ts";

/** Computes the filter gradient of an NHWC conv2d with the given geometry. */
function conv2DBackpropFilter(
  args: KernelArgs,
): tf.TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== "channelsLast") {
    throw new Error("wasm Conv2DBackpropFilter supports only NHWC (channelsLast) data.");
  }
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  // Rows/cols of X the conv reads: the swapped conv must produce exactly kh x kw outputs.
  let bottom = kh + sh * (outHeight - 1) - info.inHeight - top;
  let right = kw + sw * (outWidth - 1) - info.inWidth - left;
  let input = x;
  if (bottom < 0 || right < 0) {
    // The forward conv never read the last rows/cols (stride leftovers): drop them.
    const h = info.inHeight + Math.min(0, bottom);
    const w = info.inWidth + Math.min(0, right);
    input = slice(backend, x, [0, 0, 0, 0], [info.batchSize, h, w, info.inChannels]);
    bottom = Math.max(0, bottom);
    right = Math.max(0, right);
  }
  const xSwapped = transposeFast(backend, input, [3, 1, 2, 0]); // (c, h, w, n)
  const dySwapped = transposeFast(backend, dy, [1, 2, 0, 3]); // (y, x, n, o)
  const grad = conv2d(backend, xSwapped, dySwapped, {
    dilations: [sh, sw],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
  }); // (c, i, j, o)
  const out = transposeFast(backend, grad, [1, 2, 0, 3]); // (i, j, c, o)
  free(backend, xSwapped, dySwapped, grad);
  if (input !== x) free(backend, input);
  return out;
}

/** Kernel config registering {@linkcode conv2DBackpropFilter} for the wasm backend. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
