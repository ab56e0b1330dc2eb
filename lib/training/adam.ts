/**
 * Adam for the DCGAN: on the wasm and native backends one fused pass per variable over the WASM
 * heap; elsewhere tfjs's own `tf.train.adam`.
 *
 * tfjs's Adam builds each update from about fourteen whole-tensor ops (a DCGAN step ran ~420 of
 * them, about a tenth of the step). The fused update computes the same float32 operations in the
 * same order element by element (each double result rounded to float32 as the kernel it stands for
 * rounds it), so it matches tfjs's Adam bit for bit: the moments are updated in place, the new
 * weights go into one fresh buffer (XNNPACK caches packed weights by tensor id, see rmsprop.ts).
 *
 * The state is the inherited `AdamOptimizer` fields (moments, `accBeta1`/`accBeta2`), so
 * `getWeights`/`setWeights`, `dispose` and checkpoints are exactly tfjs's.
 *
 * @example
 * ```ts
 * import { createAdam } from "./adam.ts";
 * const optimizer = createAdam(2e-4, 0.5);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapValues, nativeSteps, onWasmHeap, ownData } from "./wasm_heap.ts";
import { heapPointer } from "../backend/native/heap.ts";

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** The `AdamOptimizer` state this class updates (private in tfjs's typings, plain fields in JS). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
}

/** `tf.AdamOptimizer` whose update runs as one fused loop per variable on the WASM heap. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** The learning rate of the next updates. */
  get currentLearningRate(): number {
    return (this as unknown as AdamState).learningRate;
  }

  /**
   * Sets the learning rate of the next updates (a schedule calls this before each step); the moments
   * are kept. Both the fused loop and tfjs's own update read the field at every step.
   */
  setLearningRate(learningRate: number): void {
    (this as unknown as AdamState).learningRate = learningRate;
  }

  /**
   * The variables this optimizer updates change from `before` to `after` (a growing network,
   * lib/gan/growth.ts). tfjs keeps Adam's moments by position in the variable list, so each
   * variable's moments move to its new position; a new variable starts from zero moments, and the
   * moments of one no longer updated are released.
   */
  moveMoments(before: tf.Variable[], after: tf.Variable[]): void {
    const state = this as unknown as AdamState;
    const move = (moments: Moment[], suffix: string) => {
      const moved = after.map((v) => moments[before.indexOf(v)] ?? zeroMoment(`${v.name}/${suffix}`, v));
      tf.dispose(moments.filter((m, i) => m && !after.includes(before[i])).map((m) => m.variable));
      return moved;
    };
    state.accumulatedFirstMoment = move(state.accumulatedFirstMoment, "m");
    state.accumulatedSecondMoment = move(state.accumulatedSecondMoment, "v");
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (!onWasmHeap()) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const backend = tf.backend() as BackendWasm;
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({
        name,
        tensor: variableGradients[name] as tf.Tensor,
      }));
    const f = Math.fround;
    // tfjs computes these as float32 scalars: sub(1, accBeta) and the scalar operands of mul/add.
    const constants = {
      beta1: f(state.beta1),
      beta2: f(state.beta2),
      keep1: f(1 - state.beta1),
      keep2: f(1 - state.beta2),
      correction1: f(1 - state.accBeta1.dataSync()[0]),
      correction2: f(1 - state.accBeta2.dataSync()[0]),
      epsilon: f(state.epsilon),
      step: f(-state.learningRate),
    };
    named.forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      state.accumulatedFirstMoment[i] ??= zeroMoment(`${name}/m`, value);
      state.accumulatedSecondMoment[i] ??= zeroMoment(`${name}/v`, value);
      if (gradient == null) return;
      if (gradient.dtype !== "float32" || value.dtype !== "float32") {
        throw new Error(`Adam: variable ${name} is ${value.dtype}; only float32 variables train.`);
      }
      const first = state.accumulatedFirstMoment[i].variable;
      const second = state.accumulatedSecondMoment[i].variable;
      ownData(backend, first);
      ownData(backend, second);
      const next = backend.makeOutput(value.shape, "float32");
      const native = nativeSteps();
      if (native) {
        // The same step in C on every core (lib/backend/native/c/kernels.c), bit for bit.
        const at = (t: tf.TensorInfo) => heapPointer(backend, t);
        const c = constants;
        native.posterlab_adam(
          ...[at(value), at(gradient), at(first), at(second), at(next)] as const,
          BigInt(value.size),
          ...[c.beta1, c.beta2, c.keep1, c.keep2, c.correction1, c.correction2, c.epsilon, c.step] as const,
        );
      } else {
        // Views after every allocation: growing the heap detaches earlier ones.
        adamStep(
          heapValues(backend, value),
          heapValues(backend, gradient),
          heapValues(backend, first),
          heapValues(backend, second),
          heapValues(backend, next),
          constants,
        );
      }
      const nextTensor = tf.engine().makeTensorFromTensorInfo(next, backend);
      value.assign(nextTensor);
      nextTensor.dispose();
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * One Adam step in tfjs's order: `m = m·β1 + g·(1−β1)`, `v = v·β2 + g²·(1−β2)`,
 * `next = (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + ε) · (−lr) + value`.
 */
function adamStep(
  value: Float32Array,
  gradient: Float32Array,
  first: Float32Array,
  second: Float32Array,
  next: Float32Array,
  c: Record<
    "beta1" | "beta2" | "keep1" | "keep2" | "correction1" | "correction2" | "epsilon" | "step",
    number
  >,
): void {
  const f = Math.fround;
  for (let j = 0; j < value.length; j++) {
    const g = gradient[j];
    const m = f(f(first[j] * c.beta1) + f(g * c.keep1));
    const v = f(f(second[j] * c.beta2) + f(f(g * g) * c.keep2));
    first[j] = m;
    second[j] = v;
    const mHat = f(m / c.correction1), vHat = f(v / c.correction2);
    next[j] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + c.epsilon)) * c.step) + value[j]);
  }
}

function zeroMoment(originalName: string, value: tf.Variable): Moment {
  return { originalName, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/** Adam with tfjs's defaults (β2 0.999, ε from the backend), fused on the wasm and native backends. */
export function createAdam(learningRate: number, beta1: number, beta2 = 0.999): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2);
}
