/**
 * Nearest-neighbour upsampling by whole factors and its gradient on every core, in the project's C
 * kernels (c/kernels.c): the DCGAN generator's resize-then-convolve layers (`tf.layers.upSampling2d`,
 * 2x). The wasm kernels are generic single-threaded loops: in a step of the recommended DCGAN (64x96,
 * 32 filters, batch 32) the gradient took 143 ms and the forward pass 57 ms of 586.
 *
 * For a whole factor (output side = k x input side) without align-corners or half-pixel centres, tfjs
 * maps output pixel o to input pixel floor(o / k); the C loops do exactly that, and sum each k x k
 * block's gradients in the wasm kernel's order. Other sizes and settings, and a machine where the C
 * kernels did not build, run the wasm kernels. (oneDNN 2.6's resampling primitive does the same
 * arithmetic but crashed here for outputs above about half a million values.)
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { heapPointer } from "./heap.ts";
import { cKernelsIfLoaded } from "./shim.ts";

/** [n, h, w, c, fh, fw] from `small` to `large` (NHWC), or undefined when a side is not a whole multiple. */
function upsampling(small: number[], large: number[]): bigint[] | undefined {
  if (small.length !== 4 || large.length !== 4 || small[0] !== large[0] || small[3] !== large[3]) return;
  const [fh, fw] = [large[1] / small[1], large[2] / small[2]];
  if (!Number.isInteger(fh) || !Number.isInteger(fw) || fh < 1 || fw < 1) return;
  return [...small, fh, fw].map(BigInt);
}

/** Whether tfjs's nearest mapping is the plain floor(o / k) one the C loops compute. */
const plainMapping = (attrs: tf.NamedAttrMap) => !attrs.alignCorners && !attrs.halfPixelCenters;

function resizeNearestNeighbor(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const attrs = args.attrs ?? {};
  const images = args.inputs.images!;
  const [height, width] = attrs.size as [number, number];
  const outShape = [images.shape[0], height, width, images.shape[3]];
  const sizes = upsampling(images.shape, outShape), kernels = cKernelsIfLoaded();
  if (images.dtype !== "float32" || !sizes || !plainMapping(attrs) || !kernels) {
    return callShipped("ResizeNearestNeighbor", backend, args.inputs, attrs);
  }
  const out = backend.makeOutput(outShape, "float32");
  const [n, h, w, c, fh, fw] = sizes;
  kernels.posterlab_upsample_nearest(
    heapPointer(backend, images),
    heapPointer(backend, out),
    n,
    h,
    w,
    c,
    fh,
    fw,
  );
  return out;
}

function resizeNearestNeighborGrad(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const attrs = args.attrs ?? {};
  const { images, dy } = args.inputs as Record<string, tf.TensorInfo>;
  const sizes = upsampling(images.shape, dy.shape), kernels = cKernelsIfLoaded();
  if (dy.dtype !== "float32" || !sizes || !plainMapping(attrs) || !kernels) {
    return callShipped("ResizeNearestNeighborGrad", backend, args.inputs, attrs);
  }
  const dx = backend.makeOutput(images.shape, "float32");
  const [n, h, w, c, fh, fw] = sizes;
  kernels.posterlab_upsample_nearest_grad(
    heapPointer(backend, dy),
    heapPointer(backend, dx),
    n,
    h,
    w,
    c,
    fh,
    fw,
  );
  return dx;
}

/** The two kernels, for the native backend's kernel list. */
export const RESIZE_KERNELS: tf.KernelConfig[] = [
  {
    kernelName: "ResizeNearestNeighbor",
    backendName: "native",
    kernelFunc: resizeNearestNeighbor as unknown as tf.KernelFunc,
  },
  {
    kernelName: "ResizeNearestNeighborGrad",
    backendName: "native",
    kernelFunc: resizeNearestNeighborGrad as unknown as tf.KernelFunc,
  },
];
