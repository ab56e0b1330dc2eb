/**
 * An exponential moving average of the generator's weights (Yazıcı et al., 2019; used by BigGAN and
 * StyleGAN): samples come from the average, which is smoother than the generator of any single step
 * and does not jump with the discriminator's last move. Batch norm's moving statistics are averaged
 * the same way.
 *
 * @example
 * ```ts
 * import type * as tf from "@tensorflow/tfjs";
 * import { DEFAULT_DCGAN_SHAPE } from "../config.ts";
 * import { buildGenerator } from "../models/dcgan.ts";
 * import { updateAverage } from "./ema.ts";
 * declare const generator: tf.LayersModel, step: number;
 * const average = buildGenerator(DEFAULT_DCGAN_SHAPE);
 * average.setWeights(generator.getWeights());
 * // after each training step:
 * updateAverage(average, generator, 0.999, step);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapValues, nativeSteps, onWasmHeap } from "../training/wasm_heap.ts";
import { heapPointer } from "../backend/native/heap.ts";

/**
 * The decay used at step `step`: `min(decay, (1 + step) / (10 + step))`, so the average follows the
 * generator closely in the first hundreds of steps instead of holding on to the random start.
 */
export function averageDecay(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/** `average ← d·average + (1 − d)·model` for every weight, with d = {@linkcode averageDecay}. */
export function updateAverage(
  average: tf.LayersModel,
  model: tf.LayersModel,
  decay: number,
  step: number,
): void {
  const d = averageDecay(decay, step);
  const from = model.weights;
  const to = average.weights;
  if (from.length !== to.length) {
    throw new Error(`Weight average of ${average.name}: ${to.length} weights, its model has ${from.length}.`);
  }
  if (onWasmHeap() && to.every((w) => w.dtype === "float32")) {
    averageOnHeap(to.map((w) => w.read()), from.map((w) => w.read()), d, (i, next) => to[i].write(next));
    return;
  }
  tf.tidy(() => {
    for (let i = 0; i < from.length; i++) {
      to[i].write(to[i].read().mul(d).add(from[i].read().mul(1 - d)));
    }
  });
}

/**
 * The same update on the wasm and native backends, one pass per weight over the WASM heap (in C on
 * native) instead of three whole-tensor ops and their buffers: the same float32 operations in the same
 * order (both products rounded to float32, then their sum), so the same bits.
 */
function averageOnHeap(
  average: tf.Tensor[],
  model: tf.Tensor[],
  d: number,
  write: (i: number, next: tf.Tensor) => void,
): void {
  const backend = tf.backend() as BackendWasm;
  const f = Math.fround;
  const keep = f(d), take = f(1 - d);
  const native = nativeSteps();
  average.forEach((a, i) => {
    const next = backend.makeOutput(a.shape, "float32");
    if (native) {
      const at = (t: tf.TensorInfo) => heapPointer(backend, t);
      native.posterlab_average(at(a), at(model[i]), at(next), BigInt(a.size), keep, take);
    } else {
      // Views after the allocation: growing the heap detaches earlier ones.
      const [from, to, out] = [
        heapValues(backend, a),
        heapValues(backend, model[i]),
        heapValues(backend, next),
      ];
      for (let j = 0; j < out.length; j++) out[j] = f(f(from[j] * keep) + f(to[j] * take));
    }
    const tensor = tf.engine().makeTensorFromTensorInfo(next, backend);
    write(i, tensor);
    tensor.dispose();
  });
}
