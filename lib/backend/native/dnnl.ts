/**
 * oneDNN 2.6 through {@linkcode nativeLibs}: the engine and stream, memory descriptors held in
 * ArrayBuffers, and convolution plans (primitive + memory objects + weight reorders) cached per
 * shape, so a training step only swaps data pointers and executes.
 *
 * Enum values are those of /usr/include/oneapi/dnnl/dnnl_types.h (oneDNN 2.6, libdnnl-dev).
 *
 * @module
 */
import { nativeLibs } from "./ffi.ts";

/** dnnl_types.h values the plans use. */
export const DNNL = {
  f32: 3,
  tagAny: 1,
  tagA: 2,
  nhwc: 20,
  hwio: 30,
  forwardTraining: 64,
  forwardInference: 96,
  poolingMax: 511,
  argWorkspace: 64,
  queryWorkspaceMd: 135,
  backward: 128,
  backwardData: 160,
  tagAb: 3,
  bnUseScale: 8,
  bnUseShift: 16,
  argMean: 49,
  argVariance: 50,
  argScale: 51,
  argShift: 52,
  argDiffScale: 255,
  argDiffShift: 256,
  backwardWeights: 192,
  convolutionDirect: 1,
  eltwiseRelu: 31,
  eltwiseReluUseDst: 256,
  eltwiseTanh: 47,
  eltwiseElu: 63,
  eltwiseLogistic: 175,
  eltwiseClip: 255,
  eltwiseSquare: 79,
  eltwiseAbs: 95,
  eltwiseSqrt: 111,
  eltwiseExp: 191,
  eltwiseLog: 239,
  binaryAdd: 131056,
  binaryMul: 131057,
  binaryMax: 131058,
  binaryMin: 131059,
  binaryDiv: 131060,
  binarySub: 131061,
  argSrc1: 2,
  cpu: 1,
  argSrc: 1,
  argDst: 17,
  argWeights: 33,
  argBias: 41,
  argDiffSrc: 129,
  argDiffDst: 145,
  argDiffWeights: 161,
  argFrom: 1,
  argTo: 17,
  queryWeightsMd: 131,
  queryDiffWeightsMd: 132,
  streamDefaultFlags: 1,
} as const;

const MEMORY_DESC_BYTES = 696;
const CONVOLUTION_DESC_BYTES = 5976;
const EXEC_ARG_BYTES = 16;

type Pointer = Deno.PointerValue;

export function check(status: number, what: string): void {
  if (status !== 0) throw new Error(`oneDNN ${what} failed with status ${status}`);
}

/** Runs `create(out)` for a C function returning a handle through `T *out`, and returns the handle. */
export function handle(what: string, create: (out: BigUint64Array) => number): Pointer {
  const out = new BigUint64Array(1);
  check(create(out), what);
  return Deno.UnsafePointer.create(out[0]);
}

let engine: Pointer | undefined;
let stream: Pointer | undefined;

/** The CPU engine and its stream, created once. */
export function engineAndStream(): { engine: Pointer; stream: Pointer } {
  const { dnnl } = nativeLibs();
  engine ??= handle("engine_create", (out) => dnnl.dnnl_engine_create(out, DNNL.cpu, 0n));
  stream ??= handle("stream_create", (out) => dnnl.dnnl_stream_create(out, engine!, DNNL.streamDefaultFlags));
  return { engine, stream };
}

/** dnnl_dims_t (int64_t[12]) holding `values`. */
export function dims(values: number[]): BigInt64Array {
  const out = new BigInt64Array(12);
  values.forEach((v, i) => out[i] = BigInt(v));
  return out;
}

/** A float32 memory descriptor with logical `shape` (oneDNN order: N, C, H, W / O, I, H, W) and `tag`. */
export function memoryDesc(shape: number[], tag: number): Uint8Array<ArrayBuffer> {
  const md = new Uint8Array(MEMORY_DESC_BYTES);
  check(
    nativeLibs().dnnl.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), DNNL.f32, tag),
    "memory_desc_init",
  );
  return md;
}

/** Memory allocated by oneDNN's process (64-byte aligned), for reordered weights; never freed while cached. */
export function alignedBuffer(bytes: number): Pointer {
  const p = nativeLibs().libc.aligned_alloc(64n, BigInt(Math.ceil(Math.max(bytes, 64) / 64) * 64));
  if (p === null) throw new Error(`native backend: out of memory allocating ${bytes} bytes`);
  return p;
}

/** A memory object for `md` (a buffer's or a primitive descriptor's), data pointer set per call. */
export function memoryObject(md: Uint8Array<ArrayBuffer> | Pointer, data: Pointer = null): Pointer {
  const { dnnl } = nativeLibs();
  const mdPointer = md instanceof Uint8Array ? Deno.UnsafePointer.of(md) : md;
  return handle(
    "memory_create",
    (out) => dnnl.dnnl_memory_create(out, mdPointer, engineAndStream().engine, data),
  );
}

export function primitiveDesc(
  opDesc: Uint8Array<ArrayBuffer>,
  attr: Pointer = null,
  hint: Pointer = null,
): Pointer {
  const { dnnl } = nativeLibs();
  return handle(
    "primitive_desc_create",
    (out) => dnnl.dnnl_primitive_desc_create(out, opDesc, attr, engineAndStream().engine, hint),
  );
}

export function primitive(pd: Pointer): Pointer {
  return handle("primitive_create", (out) => nativeLibs().dnnl.dnnl_primitive_create(out, pd));
}

/** A primitive with its memory objects and the argument list `dnnl_primitive_execute` takes. */
export class Step {
  readonly args: Uint8Array<ArrayBuffer>;
  constructor(readonly primitive: Pointer, readonly memories: { arg: number; memory: Pointer }[]) {
    this.args = new Uint8Array(EXEC_ARG_BYTES * memories.length);
    const view = new DataView(this.args.buffer);
    memories.forEach(({ arg, memory }, i) => {
      view.setInt32(i * EXEC_ARG_BYTES, arg, true);
      view.setBigUint64(i * EXEC_ARG_BYTES + 8, BigInt(Deno.UnsafePointer.value(memory)), true);
    });
  }
  run(): void {
    const { dnnl } = nativeLibs();
    check(
      dnnl.dnnl_primitive_execute(this.primitive, engineAndStream().stream, this.memories.length, this.args),
      "primitive_execute",
    );
    check(dnnl.dnnl_stream_wait(engineAndStream().stream), "stream_wait");
  }
}

/** A reorder from memory descriptor `from` to `to` (e.g. hwio weights to oneDNN's blocked layout). */
function reorder(from: Pointer, to: Pointer): { step: Step; src: Pointer; dst: Pointer } {
  const { dnnl } = nativeLibs();
  const { engine } = engineAndStream();
  const pd = handle(
    "reorder_primitive_desc_create",
    (out) => dnnl.dnnl_reorder_primitive_desc_create(out, from, engine, to, engine, null),
  );
  const src = memoryObject(from), dst = memoryObject(to);
  const step = new Step(primitive(pd), [{ arg: DNNL.argFrom, memory: src }, {
    arg: DNNL.argTo,
    memory: dst,
  }]);
  dnnl.dnnl_primitive_desc_destroy(pd);
  return { step, src, dst };
}

function sameLayout(a: Pointer, b: Pointer): boolean {
  return nativeLibs().dnnl.dnnl_memory_desc_equal(a, b) !== 0;
}

/** The geometry of one NHWC convolution with HWIO weights, as tfjs's Conv2DInfo gives it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/** A fused activation oneDNN applies as a post-op: its eltwise algorithm and alpha/beta. */
export interface PostOp {
  alg: number;
  alpha: number;
  beta: number;
}

interface ConvDescs {
  src: Uint8Array<ArrayBuffer>;
  weightsUser: Uint8Array<ArrayBuffer>;
  weightsAny: Uint8Array<ArrayBuffer>;
  bias: Uint8Array<ArrayBuffer>;
  dst: Uint8Array<ArrayBuffer>;
  strides: BigInt64Array;
  dilations: BigInt64Array;
  padL: BigInt64Array;
  padR: BigInt64Array;
}

function convDescs(g: ConvGeometry): ConvDescs {
  return {
    src: memoryDesc([g.batch, g.inChannels, g.inHeight, g.inWidth], DNNL.nhwc),
    weightsUser: memoryDesc([g.outChannels, g.inChannels, g.filterHeight, g.filterWidth], DNNL.hwio),
    weightsAny: memoryDesc([g.outChannels, g.inChannels, g.filterHeight, g.filterWidth], DNNL.tagAny),
    bias: memoryDesc([g.outChannels], DNNL.tagA),
    dst: memoryDesc([g.batch, g.outChannels, g.outHeight, g.outWidth], DNNL.nhwc),
    strides: dims([g.strideHeight, g.strideWidth]),
    // oneDNN counts dilation from 0 (no gap), TensorFlow from 1.
    dilations: dims([g.dilationHeight - 1, g.dilationWidth - 1]),
    padL: dims([g.padTop, g.padLeft]),
    padR: dims([g.padBottom, g.padRight]),
  };
}

function forwardDesc(d: ConvDescs, withBias: boolean): Uint8Array<ArrayBuffer> {
  const desc = new Uint8Array(CONVOLUTION_DESC_BYTES);
  check(
    nativeLibs().dnnl.dnnl_dilated_convolution_forward_desc_init(
      desc,
      DNNL.forwardTraining,
      DNNL.convolutionDirect,
      d.src,
      d.weightsAny,
      withBias ? d.bias : null,
      d.dst,
      d.strides,
      d.dilations,
      d.padL,
      d.padR,
    ),
    "convolution_forward_desc_init",
  );
  return desc;
}

function postOpsAttr(postOp: PostOp | undefined): Pointer {
  if (!postOp) return null;
  const { dnnl } = nativeLibs();
  const attr = handle("primitive_attr_create", (out) => dnnl.dnnl_primitive_attr_create(out));
  const ops = handle("post_ops_create", (out) => dnnl.dnnl_post_ops_create(out));
  check(dnnl.dnnl_post_ops_append_eltwise(ops, 1, postOp.alg, postOp.alpha, postOp.beta), "append_eltwise");
  check(dnnl.dnnl_primitive_attr_set_post_ops(attr, ops), "attr_set_post_ops");
  return attr;
}

/**
 * Weights given in HWIO, converted to the primitive's layout when it differs: the primitive's
 * weights memory then points at a cached buffer the reorder fills.
 */
function weightsInput(pd: Pointer, query: number, user: Uint8Array<ArrayBuffer>) {
  const chosen = nativeLibs().dnnl.dnnl_primitive_desc_query_md(pd, query, 0);
  const userPointer = Deno.UnsafePointer.of(user);
  if (sameLayout(chosen, userPointer)) {
    const memory = memoryObject(user);
    return { memory, userMemory: memory, reorder: undefined };
  }
  const bytes = Number(nativeLibs().dnnl.dnnl_memory_desc_get_size(chosen));
  const r = reorder(userPointer, chosen);
  const buffer = alignedBuffer(bytes);
  nativeLibs().dnnl.dnnl_memory_set_data_handle(r.dst, buffer);
  const memory = memoryObject(chosen, buffer);
  return { memory, userMemory: r.src, reorder: r.step };
}

/** Data pointers of one call. */
export type Pointers = Record<string, Pointer>;

/** A cached primitive (convolution, pooling): set pointers, run. */
export interface Plan {
  run(pointers: Pointers): void;
}

export function setHandle(memory: Pointer, data: Pointer): void {
  check(nativeLibs().dnnl.dnnl_memory_set_data_handle(memory, data), "memory_set_data_handle");
}

/**
 * The plan of primitive descriptor `pd` with one memory object per named argument (oneDNN's argument
 * number and memory descriptor): `run(p)` points each at `p[name]` and executes.
 */
export function namedPlan(
  pd: Pointer,
  args: Record<string, [arg: number, md: Uint8Array<ArrayBuffer>]>,
): Plan {
  const memories = Object.entries(args).map(([name, [arg, md]]) => ({ name, arg, memory: memoryObject(md) }));
  const step = new Step(primitive(pd), memories.map(({ arg, memory }) => ({ arg, memory })));
  return {
    run(p) {
      for (const { name, memory } of memories) setHandle(memory, p[name]);
      step.run();
    },
  };
}

const plans = new Map<string, Plan>();

export function cached(key: string, make: () => Plan): Plan {
  let plan = plans.get(key);
  if (!plan) {
    plan = make();
    plans.set(key, plan);
  }
  return plan;
}

/** Forgets every cached plan (after the thread count changes: oneDNN sizes its work at creation). */
export function clearPlans(): void {
  plans.clear();
}

function geometryKey(g: ConvGeometry): string {
  return Object.values(g).join(",");
}

/** Forward convolution: pointers x, filter (HWIO), bias (optional), y; an optional fused activation. */
export function convForwardPlan(g: ConvGeometry, withBias: boolean, postOp?: PostOp): Plan {
  return cached(`fwd|${geometryKey(g)}|${withBias}|${JSON.stringify(postOp ?? null)}`, () => {
    const d = convDescs(g);
    const pd = primitiveDesc(forwardDesc(d, withBias), postOpsAttr(postOp));
    const weights = weightsInput(pd, DNNL.queryWeightsMd, d.weightsUser);
    const src = memoryObject(d.src), dst = memoryObject(d.dst), bias = memoryObject(d.bias);
    const memories: { arg: number; memory: Pointer }[] = [
      { arg: DNNL.argSrc, memory: src },
      { arg: DNNL.argWeights, memory: weights.memory },
      { arg: DNNL.argDst, memory: dst },
    ];
    if (withBias) memories.push({ arg: DNNL.argBias, memory: bias });
    const step = new Step(primitive(pd), memories);
    return {
      run(p: Pointers) {
        setHandle(src, p.x);
        setHandle(weights.userMemory, p.filter);
        setHandle(dst, p.y);
        if (withBias) setHandle(bias, p.bias);
        weights.reorder?.run();
        step.run();
      },
    };
  });
}

/** Gradient of the input: pointers dy, filter (HWIO), dx. */
export function convBackwardDataPlan(g: ConvGeometry): Plan {
  return cached(`bwd-data|${geometryKey(g)}`, () => {
    const d = convDescs(g);
    const hint = primitiveDesc(forwardDesc(d, false));
    const desc = new Uint8Array(CONVOLUTION_DESC_BYTES);
    check(
      nativeLibs().dnnl.dnnl_dilated_convolution_backward_data_desc_init(
        desc,
        DNNL.convolutionDirect,
        d.src,
        d.weightsAny,
        d.dst,
        d.strides,
        d.dilations,
        d.padL,
        d.padR,
      ),
      "convolution_backward_data_desc_init",
    );
    const pd = primitiveDesc(desc, null, hint);
    const weights = weightsInput(pd, DNNL.queryWeightsMd, d.weightsUser);
    const diffSrc = memoryObject(d.src), diffDst = memoryObject(d.dst);
    const step = new Step(primitive(pd), [
      { arg: DNNL.argDiffDst, memory: diffDst },
      { arg: DNNL.argWeights, memory: weights.memory },
      { arg: DNNL.argDiffSrc, memory: diffSrc },
    ]);
    nativeLibs().dnnl.dnnl_primitive_desc_destroy(hint);
    return {
      run(p: Pointers) {
        setHandle(diffDst, p.dy);
        setHandle(weights.userMemory, p.filter);
        setHandle(diffSrc, p.dx);
        weights.reorder?.run();
        step.run();
      },
    };
  });
}

/** Gradient of the weights: pointers x, dy, dw (HWIO). */
export function convBackwardWeightsPlan(g: ConvGeometry): Plan {
  return cached(`bwd-weights|${geometryKey(g)}`, () => {
    const d = convDescs(g);
    const hint = primitiveDesc(forwardDesc(d, false));
    const desc = new Uint8Array(CONVOLUTION_DESC_BYTES);
    check(
      nativeLibs().dnnl.dnnl_dilated_convolution_backward_weights_desc_init(
        desc,
        DNNL.convolutionDirect,
        d.src,
        d.weightsAny,
        null,
        d.dst,
        d.strides,
        d.dilations,
        d.padL,
        d.padR,
      ),
      "convolution_backward_weights_desc_init",
    );
    const pd = primitiveDesc(desc, null, hint);
    const chosen = nativeLibs().dnnl.dnnl_primitive_desc_query_md(pd, DNNL.queryDiffWeightsMd, 0);
    const userPointer = Deno.UnsafePointer.of(d.weightsUser);
    const src = memoryObject(d.src), diffDst = memoryObject(d.dst);
    let diffWeights: Pointer, userWeights: Pointer, back: Step | undefined;
    if (sameLayout(chosen, userPointer)) {
      diffWeights = userWeights = memoryObject(d.weightsUser);
    } else {
      const r = reorder(chosen, userPointer);
      const buffer = alignedBuffer(Number(nativeLibs().dnnl.dnnl_memory_desc_get_size(chosen)));
      diffWeights = memoryObject(chosen, buffer);
      setHandle(r.src, buffer);
      userWeights = r.dst;
      back = r.step;
    }
    const step = new Step(primitive(pd), [
      { arg: DNNL.argSrc, memory: src },
      { arg: DNNL.argDiffDst, memory: diffDst },
      { arg: DNNL.argDiffWeights, memory: diffWeights },
    ]);
    nativeLibs().dnnl.dnnl_primitive_desc_destroy(hint);
    return {
      run(p: Pointers) {
        setHandle(src, p.x);
        setHandle(diffDst, p.dy);
        setHandle(userWeights, p.dw);
        step.run();
        back?.run();
      },
    };
  });
}
