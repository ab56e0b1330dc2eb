/**
 * The convolution gradients on oneDNN: Conv2DBackpropInput (also the DCGAN's transposed
 * convolution) and Conv2DBackpropFilter. NCHW data falls back to the wasm kernels.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { convBackwardDataPlan, convBackwardWeightsPlan, type ConvGeometry } from "./dnnl.ts";
import { type ConvAttrs, convGeometry } from "./geometry.ts";
import { heapPointer } from "./heap.ts";
import { checkSmallConv, smallConvSizes } from "./small_conv.ts";

function dyFits(dy: tf.TensorInfo, g: ConvGeometry): boolean {
  return dy.dtype === "float32" &&
    dy.shape.join(",") === [g.batch, g.outHeight, g.outWidth, g.outChannels].join(",");
}

function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const g = filter.dtype === "float32" ? convGeometry(attrs.inputShape, filter.shape, attrs) : undefined;
  if (!g || !dyFits(dy, g)) return callShipped("Conv2DBackpropInput", backend, args.inputs, args.attrs ?? {});
  const dx = backend.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], "float32");
  const plan = convBackwardDataPlan(g);
  plan.run({
    dy: heapPointer(backend, dy),
    filter: heapPointer(backend, filter),
    dx: heapPointer(backend, dx),
  });
  return dx;
}

function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const g = x.dtype === "float32" ? convGeometry(x.shape, attrs.filterShape, attrs) : undefined;
  if (!g || !dyFits(dy, g)) {
    return callShipped("Conv2DBackpropFilter", backend, args.inputs, args.attrs ?? {});
  }
  const dw = backend.makeOutput(attrs.filterShape, "float32");
  const small = smallConvSizes(g);
  if (small) {
    checkSmallConv(
      small.kernels.posterlab_conv_small_backward_filter(
        heapPointer(backend, x),
        heapPointer(backend, dy),
        heapPointer(backend, dw),
        ...small.sizes,
      ),
      "Conv2DBackpropFilter",
    );
    return dw;
  }
  const plan = convBackwardWeightsPlan(g);
  plan.run({ x: heapPointer(backend, x), dy: heapPointer(backend, dy), dw: heapPointer(backend, dw) });
  return dw;
}

/** Kernel config of the native Conv2DBackpropInput. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "native",
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};

/** Kernel config of the native Conv2DBackpropFilter. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "native",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
