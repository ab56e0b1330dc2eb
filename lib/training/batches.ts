/**
 * The order examples are seen in: a seeded shuffle per epoch, cut into full batches, and the seed of
 * each step's own random draws (augmentation, noise).
 *
 * The order of epoch `e` depends only on the seed and `e`, so a run resumed from a checkpoint in the
 * middle of an epoch sees exactly the batches the interrupted run would have seen.
 *
 * One rule for the steps of an epoch: full batches only. The few examples left over differ from epoch
 * to epoch, since each epoch is shuffled afresh, and every step sees the same number of examples (a
 * batch of one would give batch normalisation no statistics).
 *
 * @example
 * ```ts
 * import { batchIndices, epochOrder, stepsPerEpoch, stepSeed } from "./batches.ts";
 * const order = epochOrder(10, 1, 0);
 * console.log(stepsPerEpoch(10, 4)); // 2: the last 2 examples wait for another epoch
 * console.log(batchIndices(order, 4, 1).length); // 4
 * console.log(stepSeed(1, 0) !== stepSeed(1, 1)); // true
 * ```
 *
 * @module
 */
import { seededRandom } from "../util/random.ts";

/** A Fisher-Yates permutation of `0..count-1` for one epoch of a seeded run. */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const random = seededRandom(seed * 1000003 + epoch);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Steps of an epoch: the full batches of `count` examples (0 when there is not one). */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return Math.floor(count / batchSize);
}

/** Example indices of batch `b` of an epoch's order. */
export function batchIndices(order: Uint32Array, batchSize: number, b: number): Uint32Array {
  return order.subarray(b * batchSize, (b + 1) * batchSize);
}

/** The seed of step `step` (0-based over the run) of a run seeded with `seed`. */
export function stepSeed(seed: number, step: number): number {
  return seed * 7919 + step;
}
