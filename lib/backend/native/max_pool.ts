/**
 * MaxPool and MaxPoolGrad on oneDNN's pooling, NHWC in place on the WASM heap, on every core.
 *
 * oneDNN's max-pooling gradient needs the forward pass's workspace (where each maximum was), which
 * tfjs's MaxPoolGrad does not carry: it gets the input, so the gradient reruns the forward pass
 * (cheap next to the convolutions) into cached scratch memory first. Both pick the first maximum
 * of a window in row-major order, as the CPU backend does.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { callShipped, type KernelArgs } from "../wasm_kernels/shipped.ts";
import {
  alignedBuffer,
  cached,
  check,
  dims,
  DNNL,
  memoryDesc,
  memoryObject,
  namedPlan,
  type Plan,
  primitive,
  primitiveDesc,
  setHandle,
  Step,
} from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";
import { heapPointer } from "./heap.ts";

const POOLING_DESC_BYTES = 3288;

/** tfjs's pooling geometry, or undefined when oneDNN's output-size rule would differ. */
function poolInfo(x: tf.TensorInfo, attrs: tf.MaxPoolAttrs): tf.backend_util.Conv2DInfo | undefined {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const fits = (inSize: number, pads: number, k: number, s: number, out: number) =>
    Math.floor((inSize + pads - k) / s) + 1 === out;
  const p = info.padInfo;
  if (
    !fits(info.inHeight, p.top + p.bottom, info.filterHeight, info.strideHeight, info.outHeight) ||
    !fits(info.inWidth, p.left + p.right, info.filterWidth, info.strideWidth, info.outWidth) ||
    info.batchSize * info.outHeight * info.outWidth * info.inChannels === 0
  ) return undefined;
  return info;
}

function descs(info: tf.backend_util.Conv2DInfo) {
  const { batchSize: n, inChannels: c } = info;
  return {
    src: memoryDesc([n, c, info.inHeight, info.inWidth], DNNL.nhwc),
    dst: memoryDesc([n, c, info.outHeight, info.outWidth], DNNL.nhwc),
    strides: dims([info.strideHeight, info.strideWidth]),
    kernel: dims([info.filterHeight, info.filterWidth]),
    dilation: dims([0, 0]),
    padL: dims([info.padInfo.top, info.padInfo.left]),
    padR: dims([info.padInfo.bottom, info.padInfo.right]),
  };
}

function forwardDesc(d: ReturnType<typeof descs>, prop: number): Uint8Array<ArrayBuffer> {
  const desc = new Uint8Array(POOLING_DESC_BYTES);
  check(
    nativeLibs().dnnl.dnnl_pooling_v2_forward_desc_init(
      desc,
      prop,
      DNNL.poolingMax,
      d.src,
      d.dst,
      d.strides,
      d.kernel,
      d.dilation,
      d.padL,
      d.padR,
    ),
    "pooling_forward_desc_init",
  );
  return desc;
}

const infoKey = (info: tf.backend_util.Conv2DInfo) =>
  [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.bottom,
    info.padInfo.left,
    info.padInfo.right,
  ].join(",");

/** Max pooling for inference: pointers x, y. */
function forwardPlan(info: tf.backend_util.Conv2DInfo): Plan {
  return cached(`pool-fwd|${infoKey(info)}`, () => {
    const d = descs(info);
    const pd = primitiveDesc(forwardDesc(d, DNNL.forwardInference));
    return namedPlan(pd, { x: [DNNL.argSrc, d.src], y: [DNNL.argDst, d.dst] });
  });
}

/** The max-pooling gradient: pointers x, dy, dx (the forward pass reruns into cached scratch). */
function backwardPlan(info: tf.backend_util.Conv2DInfo): Plan {
  return cached(`pool-bwd|${infoKey(info)}`, () => {
    const { dnnl } = nativeLibs();
    const d = descs(info);
    const fwdPd = primitiveDesc(forwardDesc(d, DNNL.forwardTraining));
    const workspaceMd = dnnl.dnnl_primitive_desc_query_md(fwdPd, DNNL.queryWorkspaceMd, 0);
    const workspace = memoryObject(
      workspaceMd,
      alignedBuffer(Number(dnnl.dnnl_memory_desc_get_size(workspaceMd))),
    );
    const src = memoryObject(d.src);
    const scratch = memoryObject(
      d.dst,
      alignedBuffer(Number(dnnl.dnnl_memory_desc_get_size(Deno.UnsafePointer.of(d.dst)))),
    );
    const forward = new Step(primitive(fwdPd), [
      { arg: DNNL.argSrc, memory: src },
      { arg: DNNL.argDst, memory: scratch },
      { arg: DNNL.argWorkspace, memory: workspace },
    ]);
    const desc = new Uint8Array(POOLING_DESC_BYTES);
    check(
      dnnl.dnnl_pooling_v2_backward_desc_init(
        desc,
        DNNL.poolingMax,
        d.src,
        d.dst,
        d.strides,
        d.kernel,
        d.dilation,
        d.padL,
        d.padR,
      ),
      "pooling_backward_desc_init",
    );
    const pd = primitiveDesc(desc, null, fwdPd);
    const diffDst = memoryObject(d.dst), diffSrc = memoryObject(d.src);
    const backward = new Step(primitive(pd), [
      { arg: DNNL.argDiffDst, memory: diffDst },
      { arg: DNNL.argWorkspace, memory: workspace },
      { arg: DNNL.argDiffSrc, memory: diffSrc },
    ]);
    return {
      run(p) {
        setHandle(src, p.x);
        setHandle(diffDst, p.dy);
        setHandle(diffSrc, p.dx);
        forward.run();
        backward.run();
      },
    };
  });
}

function maxPool(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const info = poolInfo(x, args.attrs as unknown as tf.MaxPoolAttrs);
  if (!info) return callShipped("MaxPool", backend, args.inputs, args.attrs ?? {});
  const y = backend.makeOutput(info.outShape, "float32");
  forwardPlan(info).run({ x: heapPointer(backend, x), y: heapPointer(backend, y) });
  return y;
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolInfo(input, args.attrs as unknown as tf.MaxPoolAttrs);
  if (!info || dy.dtype !== "float32") {
    return callShipped("MaxPoolGrad", backend, args.inputs, args.attrs ?? {});
  }
  const dx = backend.makeOutput(input.shape, "float32");
  backwardPlan(info).run({
    x: heapPointer(backend, input),
    dy: heapPointer(backend, dy),
    dx: heapPointer(backend, dx),
  });
  return dx;
}

/** Kernel config of the native MaxPool. */
export const maxPoolConfig: tf.KernelConfig = {
  kernelName: "MaxPool",
  backendName: "native",
  kernelFunc: maxPool as unknown as tf.KernelFunc,
};

/** Kernel config of the native MaxPoolGrad. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: "MaxPoolGrad",
  backendName: "native",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
