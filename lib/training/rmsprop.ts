/**
 * RMSprop for the training loop: on the wasm (and native) backend, one fused pass per variable over the wasm heap;
 * elsewhere tfjs's own `tf.train.rmsprop`.
 *
 * tfjs's RMSprop builds each update from about ten whole-tensor ops (square, mul, add, sqrt, div,
 * sub ...), so the CNN's dense kernel (7M weights at ratio 30, 31M at ratio 60) costs that many
 * full-size temporaries per step, and on wasm the heap never shrinks. The fused update computes the
 * same float32 operations in the same order, element by element, so its results are bit-identical:
 * the running averages are updated in place, and the new weights go into one fresh buffer.
 *
 * The weights cannot be updated in place: XNNPACK caches a packed copy of a matrix product's right
 * operand and of a convolution's filter, keyed by the tensor's id, so the weights need a new id each
 * step (which `Variable.assign` of a new tensor gives them).
 *
 * The accumulators are the inherited `RMSPropOptimizer` fields, so `getWeights`/`setWeights`,
 * `dispose` and the checkpoint format are exactly tfjs's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapValues, nativeSteps, onWasmHeap, ownData } from "./wasm_heap.ts";
import { heapPointer } from "../backend/native/heap.ts";

/** An accumulator as `RMSPropOptimizer` keeps it (named like `<variable>/rms`). */
interface Accumulator {
  originalName: string;
  variable: tf.Variable;
}

/** The `RMSPropOptimizer` state this class updates (private in tfjs's typings, plain fields in JS). */
interface RmspropState {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  accumulatedMeanSquares: Accumulator[];
  accumulatedMoments: Accumulator[];
}

/**
 * `tf.RMSPropOptimizer` whose non-centered update runs as one fused loop on the wasm backend.
 * On other backends, and for `centered`, it is tfjs's update unchanged.
 */
export class FusedRmspropOptimizer extends tf.RMSPropOptimizer {
  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[],
  ): void {
    const state = this as unknown as RmspropState;
    if (!onWasmHeap() || state.centered) {
      super.applyGradients(variableGradients);
      return;
    }
    const backend = tf.backend() as BackendWasm;
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    named.forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      state.accumulatedMeanSquares[i] ??= zeroAccumulator(`${name}/rms`, value);
      state.accumulatedMoments[i] ??= zeroAccumulator(`${name}/momentum`, value);
      if (gradient == null) return;
      const meanSquare = state.accumulatedMeanSquares[i].variable;
      const moment = state.accumulatedMoments[i].variable;
      if (gradient.dtype !== "float32" || value.dtype !== "float32") {
        throw new Error(`RMSprop: variable ${name} is ${value.dtype}; only float32 variables train.`);
      }
      ownData(backend, meanSquare);
      ownData(backend, moment);
      const next = backend.makeOutput(value.shape, "float32");
      const native = nativeSteps();
      if (native) {
        // The same step in C on every core (lib/backend/native/c/kernels.c), bit for bit.
        const at = (t: tf.TensorInfo) => heapPointer(backend, t);
        const f = Math.fround;
        native.posterlab_rmsprop(
          ...[at(value), at(gradient), at(meanSquare), at(moment), at(next)] as const,
          BigInt(value.size),
          ...[f(state.decay), f(1 - state.decay), f(state.momentum), f(state.learningRate)] as const,
          f(state.epsilon),
        );
      } else {
        // Views after every allocation: growing the heap detaches earlier ones.
        rmspropStep(
          {
            value: heapValues(backend, value),
            gradient: heapValues(backend, gradient),
            meanSquare: heapValues(backend, meanSquare),
            moment: heapValues(backend, moment),
            next: heapValues(backend, next),
          },
          state,
        );
      }
      const nextTensor = tf.engine().makeTensorFromTensorInfo(next, backend);
      value.assign(nextTensor);
      nextTensor.dispose();
    });
    this.incrementIterations();
  }
}

/** The float32 arrays one RMSprop step reads and writes (all of one variable's size). */
interface StepArrays {
  value: Float32Array;
  gradient: Float32Array;
  meanSquare: Float32Array;
  moment: Float32Array;
  next: Float32Array;
}

/**
 * One RMSprop step, element by element, with tfjs's float32 operations in tfjs's order:
 * `ms = ms·decay + g²·(1−decay)`, `mom = mom·momentum + (g·lr) / sqrt(ms + ε)`, `next = value − mom`.
 * Each double result is rounded to float32 as the kernel it stands for would round it.
 */
function rmspropStep(arrays: StepArrays, hyper: RmspropState): void {
  const { value, gradient, meanSquare, moment, next } = arrays;
  const f = Math.fround;
  const decay = f(hyper.decay), keep = f(1 - hyper.decay), momentum = f(hyper.momentum);
  const lr = f(hyper.learningRate), epsilon = f(hyper.epsilon);
  for (let j = 0; j < value.length; j++) {
    const g = gradient[j];
    const ms = f(f(meanSquare[j] * decay) + f(f(g * g) * keep));
    const mom = f(f(moment[j] * momentum) + f(f(g * lr) / f(Math.sqrt(f(ms + epsilon)))));
    meanSquare[j] = ms;
    moment[j] = mom;
    next[j] = value[j] - mom;
  }
}

function zeroAccumulator(originalName: string, value: tf.Variable): Accumulator {
  return { originalName, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/**
 * The trainer's optimizer: RMSprop with tfjs's defaults (decay 0.9, no momentum, ε from the
 * backend, not centered), fused on the wasm backend.
 */
export function createRmsprop(learningRate: number): tf.Optimizer {
  return new FusedRmspropOptimizer(learningRate);
}
