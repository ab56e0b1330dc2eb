import assert from "node:assert/strict";
import { batchIndices, epochOrder, stepSeed, stepsPerEpoch } from "../../lib/training/batches.ts";

Deno.test("epochOrder is a seeded permutation that changes with the epoch", () => {
  const a = epochOrder(50, 42, 0);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(a, epochOrder(50, 42, 0));
  assert.notDeepEqual(a, epochOrder(50, 42, 1));
  assert.notDeepEqual(a, epochOrder(50, 43, 0));
});

Deno.test("an epoch is its full batches: each a distinct slice of the order, the remainder left out", () => {
  const order = epochOrder(10, 1, 0);
  assert.equal(stepsPerEpoch(10, 4), 2);
  assert.equal(stepsPerEpoch(8, 4), 2);
  assert.equal(stepsPerEpoch(3, 4), 0);
  const seen = [0, 1].flatMap((b) => Array.from(batchIndices(order, 4, b)));
  assert.deepEqual(seen, Array.from(order.subarray(0, 8)));
  assert.ok([0, 1].every((b) => batchIndices(order, 4, b).length === 4));
});

Deno.test("stepSeed differs from step to step and from seed to seed", () => {
  const seeds = new Set([1, 2].flatMap((seed) => [0, 1, 2, 3].map((step) => stepSeed(seed, step))));
  assert.equal(seeds.size, 8);
});
