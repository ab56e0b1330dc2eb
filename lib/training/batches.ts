/**
 * The order films are seen in: a seeded shuffle per epoch, cut into batches.
 *
 * The order of epoch `e` depends only on the seed and `e`, so a run resumed from a checkpoint in the
 * middle of an epoch sees exactly the batches the interrupted run would have seen.
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

/** Number of batches of an epoch (the last one may be smaller). */
export function batchCount(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** Row indices of batch `b` of an epoch's order. */
export function batchIndices(order: Uint32Array, batchSize: number, b: number): Uint32Array {
  return order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
}
