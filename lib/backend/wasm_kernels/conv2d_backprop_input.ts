/**
 * Conv2DBackpropInput for the wasm backend, replacing the shipped one (a scalar loop, ~10x slower
 * than XNNPACK): it is the input gradient of every conv layer and the forward pass of a transposed
 * convolution (the DCGAN generator).
 *
 * dX[r] = Σ_{y,i : y·s + i − pad = r} dY[y] · W[i]. Output rows fall into s phases by r mod s;
 * within a phase only every s-th filter tap contributes, so each phase is an ordinary stride-1
 * convolution of dY with a reversed sub-filter, run on XNNPACK, computing exactly the phase's rows
 * (plus at most one cropped row when s doesn't divide the size). Stride 1 is the single-phase case
 * (dY convolved with the rotated filter, "full" padding). Phases are interleaved by concatenation.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  callShipped,
  concat,
  conv2d,
  free,
  type KernelArgs,
  makeTensor,
  reshape,
  slice,
  values,
} from "./shipped.ts";

/** How one spatial axis of dX splits into stride phases. */
interface AxisPlan {
  /** Rows of dX computed per phase; phases are interleaved, then rows past the end are cropped. */
  perPhase: number;
  phases: PhasePlan[];
}

/** One output phase b (dX rows b, b+s, b+2s, ...): which filter taps, which dY rows, what padding. */
interface PhasePlan {
  /** Filter taps of this phase in the order the stride-1 conv applies them (reversed). */
  taps: number[];
  /** First and last dY row read (inclusive); empty when `first > last`. */
  first: number;
  last: number;
  padBefore: number;
  padAfter: number;
}

/**
 * Row r = q·s + b of dX sums dY[v − t]·W[a + t·s] over t, where a = (b + pad) mod s and
 * v = q + ⌊(b + pad)/s⌋: a stride-1 correlation of dY with the reversed taps of phase a.
 */
function planAxis(size: number, dySize: number, kernel: number, stride: number, pad: number): AxisPlan {
  const perPhase = Math.ceil(size / stride);
  const phases: PhasePlan[] = [];
  for (let b = 0; b < stride; b++) {
    const a = (b + pad) % stride;
    const start = Math.floor((b + pad) / stride);
    const taps: number[] = [];
    for (let tap = a; tap < kernel; tap += stride) taps.unshift(tap);
    const lo = start - (taps.length - 1);
    const hi = start + perPhase - 1;
    phases.push({
      taps,
      first: Math.max(0, lo),
      last: Math.min(dySize - 1, hi),
      padBefore: Math.max(0, -lo),
      padAfter: Math.max(0, hi - (dySize - 1)),
    });
  }
  return { perPhase, phases };
}

/** The reversed sub-filter of a phase, laid out for a conv from dY's channels to dX's: (i, j, out, in). */
function subFilter(
  backend: BackendWasm,
  filter: tf.TensorInfo,
  rows: number[],
  cols: number[],
): tf.TensorInfo {
  const [, kw, inChannels, outChannels] = filter.shape;
  return makeTensor(backend, [rows.length, cols.length, outChannels, inChannels], (out) => {
    const w = values(backend, filter);
    let o = 0;
    for (const i of rows) {
      for (const j of cols) {
        const base = (i * kw + j) * inChannels * outChannels;
        for (let m = 0; m < outChannels; m++) {
          for (let c = 0; c < inChannels; c++) out[o++] = w[base + c * outChannels + m];
        }
      }
    }
  });
}

function phaseOutput(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  rows: PhasePlan,
  cols: PhasePlan,
  outShape: number[],
): tf.TensorInfo {
  if (rows.taps.length === 0 || cols.taps.length === 0 || rows.first > rows.last || cols.first > cols.last) {
    return makeTensor(backend, outShape, (out) => out.fill(0));
  }
  const whole = rows.first === 0 && rows.last === dy.shape[1] - 1 && cols.first === 0 &&
    cols.last === dy.shape[2] - 1;
  const input = whole ? dy : slice(backend, dy, [0, rows.first, cols.first, 0], [
    dy.shape[0],
    rows.last - rows.first + 1,
    cols.last - cols.first + 1,
    dy.shape[3],
  ]);
  const weights = subFilter(backend, filter, rows.taps, cols.taps);
  const out = conv2d(backend, input, weights, {
    pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
  });
  free(backend, weights);
  if (input !== dy) free(backend, input);
  return out;
}

/** Interleaves phase outputs [row phase][col phase] of shape (n, h, w, c) into (n, h·sh, w·sw, c). */
function interleave(backend: BackendWasm, parts: tf.TensorInfo[][]): tf.TensorInfo {
  const [n, h, w, c] = parts[0][0].shape;
  const sh = parts.length, sw = parts[0].length;
  const rowPhases = parts.map((row) => {
    const columns = row.map((p) => reshape(backend, p, [n * h, w, 1, c]));
    const joined = concat(backend, columns, 2); // (n·h, w, sw, c): columns interleaved
    const out = reshape(backend, joined, [n, h, 1, w * sw * c]);
    free(backend, ...columns, joined);
    return out;
  });
  const joined = concat(backend, rowPhases, 2); // (n, h, sh, w·sw·c): rows interleaved
  const out = reshape(backend, joined, [n, h * sh, w * sw, c]);
  free(backend, ...rowPhases, joined);
  return out;
}

/** Computes dX of an NHWC conv2d (or the output of a transposed convolution). */
function conv2DBackpropInput(
  args: KernelArgs,
): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== "channelsLast" || info.padInfo.top < 0 || info.padInfo.left < 0) {
    return callShipped("Conv2DBackpropInput", backend, args.inputs, args.attrs ?? {});
  }
  const rows = planAxis(
    info.inHeight,
    info.outHeight,
    info.filterHeight,
    info.strideHeight,
    info.padInfo.top,
  );
  const cols = planAxis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.padInfo.left);
  const phaseShape = [info.batchSize, rows.perPhase, cols.perPhase, info.inChannels];
  const parts = rows.phases.map((r) =>
    cols.phases.map((c) => phaseOutput(backend, dy, filter, r, c, phaseShape))
  );
  if (parts.length === 1 && parts[0].length === 1) return parts[0][0]; // stride 1: exactly dX
  const extended = interleave(backend, parts);
  free(backend, ...parts.flat());
  if (extended.shape[1] === info.inHeight && extended.shape[2] === info.inWidth) return extended;
  const out = slice(backend, extended, [0, 0, 0, 0], info.inShape);
  free(backend, extended);
  return out;
}

/** Kernel config replacing the shipped wasm Conv2DBackpropInput with {@linkcode conv2DBackpropInput}. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
