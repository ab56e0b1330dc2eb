/**
 * Batch normalisation in training as two oneDNN primitives on every core: forward (batch mean and
 * variance, normalise, scale and shift in one pass) and backward (the input, scale and offset
 * gradients in one pass). tfjs-layers builds the same from moments, FusedBatchNorm and, backwards, a
 * dozen single-threaded wasm kernels (Multiply, Sub, Tile, RealDiv, Sum ...) per layer: about 100 ms
 * of a 320 ms step of the bench's DCGAN (64x64, 32 filters, batch 32).
 *
 * {@linkcode installNativeBatchNorm} makes `tf.layers.batchNormalization` use the two kernels when
 * the native backend runs, in training, for a float32 input of rank 2 or 4 normalised over its last
 * axis with both scale and offset (every batch norm of the project's networks); anything else, and
 * inference, runs tfjs's own code. The moving averages update as tfjs does. The variance is the
 * biased batch variance, as tfjs's moments give it.
 *
 * The forward kernel's mean and variance outputs feed only the moving averages: its gradient treats
 * them as constants, and the backward kernel has no gradient of its own (no second-order gradients
 * through a training batch norm on native).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelArgs } from "../wasm_kernels/shipped.ts";
import {
  cached,
  check,
  DNNL,
  memoryDesc,
  namedPlan,
  type Plan,
  type Pointers,
  primitiveDesc,
} from "./dnnl.ts";
import { nativeLibs } from "./ffi.ts";
import { heapPointer } from "./heap.ts";
import { cKernelsIfLoaded } from "./shim.ts";

/** (x, scale, offset) → (y, batch mean, batch variance). */
export const BATCH_NORM_TRAINING_KERNEL = "NativeBatchNormTraining";
/** (x, dy, mean, variance, scale, offset) → (dx, dscale, doffset). */
export const BATCH_NORM_GRAD_KERNEL = "NativeBatchNormGrad";

/** sizeof(dnnl_batch_normalization_desc_t) in oneDNN 2.6. */
const BATCH_NORM_DESC_BYTES = 3496;
const FLAGS = DNNL.bnUseScale | DNNL.bnUseShift;

/** oneDNN's view of an NHWC (or NC) tensor: dims in N, C, H, W order with the matching tag. */
function dataDesc(shape: number[]): Uint8Array<ArrayBuffer> {
  if (shape.length === 2) return memoryDesc(shape, DNNL.tagAb);
  const [n, h, w, c] = shape;
  return memoryDesc([n, c, h, w], DNNL.nhwc);
}

function forwardDesc(shape: number[], epsilon: number): Uint8Array<ArrayBuffer> {
  const desc = new Uint8Array(BATCH_NORM_DESC_BYTES);
  check(
    nativeLibs().dnnl.dnnl_batch_normalization_forward_desc_init(
      desc,
      DNNL.forwardTraining,
      dataDesc(shape),
      epsilon,
      FLAGS,
    ),
    "batch_normalization_forward_desc_init",
  );
  return desc;
}

function forwardPlan(shape: number[], epsilon: number): Plan {
  return cached(`bn_fwd|${shape}|${epsilon}`, () => {
    const md = dataDesc(shape), stats = memoryDesc([shape[shape.length - 1]], DNNL.tagA);
    return namedPlan(primitiveDesc(forwardDesc(shape, epsilon)), {
      x: [DNNL.argSrc, md],
      y: [DNNL.argDst, md],
      mean: [DNNL.argMean, stats],
      variance: [DNNL.argVariance, stats],
      scale: [DNNL.argScale, stats],
      offset: [DNNL.argShift, stats],
    });
  });
}

function backwardPlan(shape: number[], epsilon: number): Plan {
  return cached(`bn_bwd|${shape}|${epsilon}`, () => {
    const { dnnl } = nativeLibs();
    const hint = primitiveDesc(forwardDesc(shape, epsilon));
    const md = dataDesc(shape), stats = memoryDesc([shape[shape.length - 1]], DNNL.tagA);
    const desc = new Uint8Array(BATCH_NORM_DESC_BYTES);
    check(
      dnnl.dnnl_batch_normalization_backward_desc_init(desc, DNNL.backward, md, md, epsilon, FLAGS),
      "batch_normalization_backward_desc_init",
    );
    const pd = primitiveDesc(desc, null, hint);
    dnnl.dnnl_primitive_desc_destroy(hint);
    return namedPlan(pd, {
      x: [DNNL.argSrc, md],
      dy: [DNNL.argDiffDst, md],
      mean: [DNNL.argMean, stats],
      variance: [DNNL.argVariance, stats],
      scale: [DNNL.argScale, stats],
      // Unused by the arithmetic, but oneDNN 2.6 checks that every argument of use_shift is given.
      offset: [DNNL.argShift, stats],
      dx: [DNNL.argDiffSrc, md],
      dscale: [DNNL.argDiffScale, stats],
      doffset: [DNNL.argDiffShift, stats],
    });
  });
}

/** Allocates the named outputs, then runs `plan` on them and on the inputs, by name (pointers last). */
function runPlan(
  plan: Plan,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  outputs: [name: string, shape: number[]][],
): tf.TensorInfo[] {
  const made = outputs.map(([name, shape]) => [name, backend.makeOutput(shape, "float32")] as const);
  const pointers: Pointers = {};
  for (const [name, t] of [...Object.entries(inputs), ...made]) pointers[name] = heapPointer(backend, t!);
  plan.run(pointers);
  return made.map(([, t]) => t);
}

/** Rows and channels of an NHWC (or NC) shape, as the C kernels take them. */
function rowsAndChannels(shape: number[]): [bigint, bigint] {
  const channels = shape[shape.length - 1];
  return [BigInt(shape.reduce((a, b) => a * b, 1) / channels), BigInt(channels)];
}

/**
 * A batch-norm C kernel's call: allocates its outputs (x's shape, then two per-channel vectors), then
 * calls `call` with the pointers of the inputs named in `names` followed by the outputs', and x's rows
 * and channels. A nonzero status (no memory for the per-channel sums) throws.
 */
function runC(
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  names: string[],
  call: (pointers: Deno.PointerValue[], rows: bigint, channels: bigint) => number,
  kernel: string,
): tf.TensorInfo[] {
  const { shape } = inputs.x!, channels = [shape[shape.length - 1]];
  const outputs = [shape, channels, channels].map((s) => backend.makeOutput(s, "float32"));
  // Pointers after the outputs are allocated: an allocation may grow the heap and move it.
  const pointers = [...names.map((name) => inputs[name]!), ...outputs].map((t) => heapPointer(backend, t));
  if (call(pointers, ...rowsAndChannels(shape)) !== 0) {
    throw new Error(`${kernel}: out of memory for its per-channel sums.`);
  }
  return outputs;
}

function trainingKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { shape } = inputs.x!, channels = [shape[shape.length - 1]];
  const epsilon = attrs!.epsilon as number, kernels = cKernelsIfLoaded();
  if (kernels) {
    return runC(
      backend,
      inputs,
      ["x", "scale", "offset"],
      (p, rows, columns) =>
        // x, scale, offset → y, mean, variance
        kernels.posterlab_batch_norm_forward(p[0], p[1], p[2], p[3], p[4], p[5], rows, columns, epsilon),
      BATCH_NORM_TRAINING_KERNEL,
    );
  }
  return runPlan(forwardPlan(shape, epsilon), backend, inputs, [
    ["y", shape],
    ["mean", channels],
    ["variance", channels],
  ]);
}

function gradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { shape } = inputs.x!, channels = [shape[shape.length - 1]];
  const epsilon = attrs!.epsilon as number, kernels = cKernelsIfLoaded();
  if (kernels) {
    return runC(backend, inputs, ["x", "dy", "mean", "variance", "scale"], (p, rows, columns) =>
      // x, dy, mean, variance, scale → dx, dscale, doffset
      kernels.posterlab_batch_norm_backward(
        p[0],
        p[1],
        p[2],
        p[3],
        p[4],
        p[5],
        p[6],
        p[7],
        rows,
        columns,
        epsilon,
      ), BATCH_NORM_GRAD_KERNEL);
  }
  return runPlan(backwardPlan(shape, epsilon), backend, inputs, [
    ["dx", shape],
    ["dscale", channels],
    ["doffset", channels],
  ]);
}

/** The two kernels, for the native backend's kernel list. */
export const BATCH_NORM_KERNELS: tf.KernelConfig[] = [
  {
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    backendName: "native",
    kernelFunc: trainingKernel as unknown as tf.KernelFunc,
  },
  {
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: "native",
    kernelFunc: gradKernel as unknown as tf.KernelFunc,
  },
];

/** The members of tfjs-layers' BatchNormalization that its `call` reads (untyped in the public API). */
interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** One batch norm in training on the native kernels: the output, and the batch's mean and variance. */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, { x, scale, offset }, { epsilon }) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}

let restore: (() => void) | undefined;

/**
 * Registers the training kernel's gradient and makes `tf.layers.batchNormalization` use the native
 * kernels where they apply, once; the returned function restores tfjs's own `call`.
 */
export function installNativeBatchNorm(): () => void {
  if (restore) return () => {};
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    inputsToSave: ["x", "scale", "offset"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, scale, offset, mean, variance] = saved;
      const dy = (dys as (tf.Tensor | null)[])[0] ?? tf.zerosLike(x);
      // One kernel gives all three: run it here, so each closure returns its part (a closure runs
      // inside its own tidy, which would dispose the other two).
      const [dx, dscale, doffset] = tf.engine().runKernel(
        BATCH_NORM_GRAD_KERNEL,
        { x, dy, mean, variance, scale, offset },
        attrs as tf.NamedAttrMap,
      ) as tf.Tensor[];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
  const prototype = Object.getPrototypeOf(tf.layers.batchNormalization({})) as BatchNormLayer;
  const tfjsCall = prototype.call;
  prototype.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const native = kwargs["training"] === true && input !== undefined && tf.getBackend() === "native" &&
      input.dtype === "float32" && (input.rank === 2 || input.rank === 4) &&
      (this.axis === -1 || this.axis === input.rank - 1) && this.center && this.scale;
    if (!native) return tfjsCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTraining(input, this.gamma.read(), this.beta.read(), this.epsilon);
      // tfjs's update: moving -= (moving - batch) * (1 - momentum).
      for (const [moving, batch] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const value = moving.read();
          moving.write(tf.sub(value, tf.mul(tf.sub(value, batch), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
  restore = () => {
    prototype.call = tfjsCall;
    restore = undefined;
  };
  return restore;
}
