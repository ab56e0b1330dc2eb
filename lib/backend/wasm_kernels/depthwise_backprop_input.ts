/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend, which ships no kernel for it: the input's
 * gradient of a depthwise convolution, what a loss needs to reach the pixels through a frozen
 * MobileNetV2 (the discriminator on pretrained features of lib/models/projected_discriminator.ts).
 * Each output pixel's gradient is scattered back onto the input pixels its taps read, channels
 * innermost. The native backend runs the same loop in C (native/depthwise_backprop.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type KernelArgs, values } from "./shipped.ts";

/** A depthwise convolution's geometry (tfjs's, depthwise) and its outputs per input channel. */
export interface DepthwiseGeometry {
  info: tf.backend_util.Conv2DInfo;
  multiplier: number;
}

/** The geometry of the kernel call `args` (attrs inputShape, strides, pad, dilations; the filter's shape). */
export function depthwiseGeometry(args: KernelArgs): DepthwiseGeometry {
  const { filter } = args.inputs as { filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  return { info, multiplier: filter.shape[3] };
}

/** dx (NHWC, zeroed here) from dy and the `[kh, kw, c, m]` filter of a depthwise convolution of geometry `g`. */
export function depthwiseBackpropInto(
  dy: Float32Array,
  filter: Float32Array,
  dx: Float32Array,
  { info: g, multiplier: m }: DepthwiseGeometry,
): void {
  const c = g.inChannels, oc = c * m;
  const { top, left } = g.padInfo;
  dx.fill(0);
  for (let b = 0; b < g.batchSize; b++) {
    const image = b * g.inHeight * g.inWidth * c;
    for (let y = 0; y < g.outHeight; y++) {
      for (let x = 0; x < g.outWidth; x++) {
        const from = ((b * g.outHeight + y) * g.outWidth + x) * oc;
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = y * g.strideHeight + ky * g.dilationHeight - top;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const ix = x * g.strideWidth + kx * g.dilationWidth - left;
            if (ix < 0 || ix >= g.inWidth) continue;
            const to = image + (iy * g.inWidth + ix) * c;
            const taps = (ky * g.filterWidth + kx) * oc;
            for (let k = 0; k < c; k++) {
              let sum = 0;
              for (let q = 0; q < m; q++) sum += dy[from + k * m + q] * filter[taps + k * m + q];
              dx[to + k] += sum;
            }
          }
        }
      }
    }
  }
}

function depthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const g = depthwiseGeometry(args);
  const out = backend.makeOutput(g.info.inShape, "float32");
  // Views after the allocation: growing the heap would detach earlier ones.
  depthwiseBackpropInto(values(backend, dy), values(backend, filter), values(backend, out), g);
  return out;
}

/** The kernel, for the wasm backend's list (the native backend inherits it unless it has its own). */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc,
};
