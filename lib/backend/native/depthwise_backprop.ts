/**
 * DepthwiseConv2dNativeBackpropInput on the native backend: the C kernel
 * (`posterlab_depthwise_backward_input`, c/kernels.c), the images split over the threads; without the C
 * kernels, the wasm backend's loop (wasm_kernels/depthwise_backprop_input.ts), which computes the same.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "../wasm_kernels/shipped.ts";
import { depthwiseBackpropInto, depthwiseGeometry } from "../wasm_kernels/depthwise_backprop_input.ts";
import { heapPointer } from "./heap.ts";
import { cKernelsIfLoaded } from "./shim.ts";

function depthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const g = depthwiseGeometry(args);
  const dx = backend.makeOutput(g.info.inShape, "float32");
  const kernels = cKernelsIfLoaded();
  if (!kernels) {
    const heap = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    depthwiseBackpropInto(heap(dy), heap(filter), heap(dx), g);
    return dx;
  }
  const { info: i, multiplier } = g;
  const sizes = [
    i.batchSize,
    i.inHeight,
    i.inWidth,
    i.inChannels,
    multiplier,
    i.outHeight,
    i.outWidth,
    i.filterHeight,
    i.filterWidth,
    i.strideHeight,
    i.strideWidth,
    i.dilationHeight,
    i.dilationWidth,
    i.padInfo.top,
    i.padInfo.left,
  ].map(BigInt);
  // The symbol takes the three pointers and these 15 sizes, in this order (ffi.ts).
  const scatter = kernels.posterlab_depthwise_backward_input as unknown as (...args: unknown[]) => number;
  const status = scatter(
    heapPointer(backend, dy),
    heapPointer(backend, filter),
    heapPointer(backend, dx),
    ...sizes,
  );
  if (status !== 0) throw new Error(`DepthwiseConv2dNativeBackpropInput: the C kernel refused its shapes.`);
  return dx;
}

/** The kernel, for the native backend's kernel list. */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "native",
  kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc,
};
