/**
 * Conv2D and FusedConv2D (conv + bias + activation, what tfjs-layers' Conv2D runs) on oneDNN, with
 * the activation fused as a oneDNN post-op. PReLU and NCHW data fall back to the wasm kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import { convForwardPlan, DNNL, type PostOp } from "./dnnl.ts";
import { type ConvAttrs, convGeometry } from "./geometry.ts";
import { heapPointer } from "./heap.ts";
import { checkSmallConv, smallConvSizes } from "./small_conv.ts";

/** The oneDNN post-op of a tfjs fused activation; null for none, undefined when oneDNN has none. */
export function postOpOf(activation: string | undefined, leakyreluAlpha = 0.2): PostOp | null | undefined {
  switch (activation ?? "linear") {
    case "linear":
      return null;
    case "relu":
      return { alg: DNNL.eltwiseRelu, alpha: 0, beta: 0 };
    case "leakyrelu":
      return { alg: DNNL.eltwiseRelu, alpha: leakyreluAlpha, beta: 0 };
    case "relu6":
      return { alg: DNNL.eltwiseClip, alpha: 0, beta: 6 };
    case "elu":
      return { alg: DNNL.eltwiseElu, alpha: 1, beta: 0 };
    case "sigmoid":
      return { alg: DNNL.eltwiseLogistic, alpha: 0, beta: 0 };
    default:
      return undefined;
  }
}

function runConv(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  attrs: ConvAttrs,
  postOp: PostOp | null,
): tf.TensorInfo | undefined {
  if (x.dtype !== "float32" || filter.dtype !== "float32") return undefined;
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1)) return undefined;
  const g = convGeometry(x.shape, filter.shape, attrs);
  if (!g) return undefined;
  const small = postOp === null ? smallConvSizes(g) : undefined;
  if (small) {
    const y = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], "float32");
    checkSmallConv(
      small.kernels.posterlab_conv_small_forward(
        heapPointer(backend, x),
        heapPointer(backend, filter),
        bias ? heapPointer(backend, bias) : null,
        heapPointer(backend, y),
        ...small.sizes,
      ),
      "Conv2D",
    );
    return y;
  }
  const plan = convForwardPlan(g, bias !== undefined, postOp ?? undefined);
  const y = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], "float32");
  plan.run({
    x: heapPointer(backend, x),
    filter: heapPointer(backend, filter),
    bias: bias ? heapPointer(backend, bias) : null,
    y: heapPointer(backend, y),
  });
  return y;
}

function conv2D(args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  return runConv(args.backend, x, filter, undefined, attrs, null) ??
    callShipped("Conv2D", args.backend, args.inputs, args.attrs ?? {});
}

function fusedConv2D(args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias } = args.inputs as {
    x: tf.TensorInfo;
    filter: tf.TensorInfo;
    bias?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
  const postOp = postOpOf(attrs.activation, attrs.leakyreluAlpha);
  const y = postOp === undefined
    ? undefined
    : runConv(args.backend, x, filter, bias ?? undefined, attrs, postOp);
  return y ?? callShipped("FusedConv2D", args.backend, args.inputs, args.attrs ?? {});
}

/** Kernel config of the native Conv2D. */
export const conv2DConfig: tf.KernelConfig = {
  kernelName: "Conv2D",
  backendName: "native",
  kernelFunc: conv2D as unknown as tf.KernelFunc,
};

/** Kernel config of the native FusedConv2D. */
export const fusedConv2DConfig: tf.KernelConfig = {
  kernelName: "FusedConv2D",
  backendName: "native",
  kernelFunc: fusedConv2D as unknown as tf.KernelFunc,
};
