/**
 * MaxPoolGrad for the wasm backend, replacing the shipped one (which loops over every input pixel
 * and every window that could cover it). This one visits each pooling window once, channels
 * innermost so memory is read in order, and sends each output gradient to its window's maximum:
 * the first strictly greatest value in row-major window order, as the CPU backend picks it.
 *
 * It runs in JavaScript on the wasm heap: the work is one pass over the input, which V8 compiles to
 * a tight loop, and the shipped kernels offer no scatter to build it from.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs, values } from "./shipped.ts";

function maxPoolGrad(
  args: KernelArgs,
): tf.TensorInfo {
  const { backend } = args;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (input.dtype !== "float32" || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    return callShipped("MaxPoolGrad", backend, args.inputs, args.attrs ?? {});
  }
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const out = backend.makeOutput(input.shape, "float32");
  // Views after the allocation: growing the heap would detach earlier ones.
  const dx = values(backend, out), x = values(backend, input), grad = values(backend, dy);
  dx.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let g = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const top = yr * info.strideHeight - info.padInfo.top;
      const r0 = Math.max(0, top), r1 = Math.min(inHeight, top + info.filterHeight);
      for (let yc = 0; yc < outWidth; yc++, g += channels) {
        const left = yc * info.strideWidth - info.padInfo.left;
        const c0 = Math.max(0, left), c1 = Math.min(inWidth, left + info.filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = ((b * inHeight + r) * inWidth + c) * channels;
            for (let d = 0; d < channels; d++) {
              const v = x[base + d];
              if (v > best[d]) {
                best[d] = v;
                where[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++) {
          if (where[d] >= 0) dx[where[d]] += grad[g + d];
        }
      }
    }
  }
  return out;
}

/** Kernel config replacing the shipped wasm MaxPoolGrad with {@linkcode maxPoolGrad}. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: "MaxPoolGrad",
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
