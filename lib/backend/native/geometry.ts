/**
 * tfjs's convolution geometry as oneDNN wants it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "./dnnl.ts";

/** The attrs every Conv2D-like kernel carries. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * The geometry of an NHWC conv of `xShape` by an HWIO `filterShape`, or undefined when oneDNN's
 * output-size rule would not give tfjs's (NCHW data, or a rounding mode other than floor).
 */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): ConvGeometry | undefined {
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  const g: ConvGeometry = {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
  // oneDNN's rule: out = floor((in + pads - effective kernel) / stride) + 1.
  const fits = (inSize: number, pads: number, k: number, d: number, s: number, out: number) =>
    Math.floor((inSize + pads - ((k - 1) * d + 1)) / s) + 1 === out;
  if (
    !fits(
      g.inHeight,
      g.padTop + g.padBottom,
      g.filterHeight,
      g.dilationHeight,
      g.strideHeight,
      g.outHeight,
    ) ||
    !fits(g.inWidth, g.padLeft + g.padRight, g.filterWidth, g.dilationWidth, g.strideWidth, g.outWidth)
  ) return undefined;
  if (Object.values(g).some((v) => v <= 0 && v !== 0) || g.batch * g.outHeight * g.outWidth === 0) {
    return undefined;
  }
  return g;
}
