/**
 * Convolutions with few output channels (at most 4; the generator's last, RGB convolution) in the
 * native backend's C kernels (c/kernels.c) instead of oneDNN, which runs them at a few percent of
 * its rate on other shapes: the forward pass and the filter's gradient (oneDNN computes the input's
 * gradient as fast), for stride 1, no dilation, NHWC input of a multiple of 8 channels, any kernel
 * size and padding, and no fused activation. conv2d.ts and conv2d_backprop.ts ask
 * {@linkcode smallConvSizes} first and use oneDNN when it says no.
 *
 * @module
 */
import type { ConvGeometry } from "./dnnl.ts";
import { cKernelsIfLoaded } from "./shim.ts";
import type { CKernels } from "./ffi.ts";

/** The C kernels' output-channel limit (SMALL_CONV_MAX_OUT in c/kernels.c). */
export const SMALL_CONV_MAX_OUT = 4;

/** n, h, w, c, out h, out w, out c, kernel h, kernel w, top and left padding, as the C kernels take them. */
export type SmallConvSizes = [
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
];

/** The C kernels and the sizes they take for `g`, or undefined when the C kernels do not run it. */
export function smallConvSizes(g: ConvGeometry): { kernels: CKernels; sizes: SmallConvSizes } | undefined {
  const kernels = cKernelsIfLoaded();
  const fits = g.outChannels <= SMALL_CONV_MAX_OUT && g.inChannels % 8 === 0 && g.strideHeight === 1 &&
    g.strideWidth === 1 && g.dilationHeight === 1 && g.dilationWidth === 1;
  if (!kernels || !fits) return undefined;
  const sizes = [
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.padTop,
    g.padLeft,
  ].map(BigInt) as SmallConvSizes;
  return { kernels, sizes };
}

/** Throws unless a small-convolution C kernel returned 0. */
export function checkSmallConv(status: number, name: string): void {
  if (status === -1) throw new Error(`${name}: out of memory for the filter's copy or partial sums.`);
  if (status !== 0) throw new Error(`${name}: the C kernel refused its shapes (status ${status}).`);
}
