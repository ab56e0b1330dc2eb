import assert from "node:assert/strict";
import { bestEpoch } from "../../lib/models/metadata.ts";
import { shouldStopEarly } from "../../lib/genre/history.ts";
import type { EpochRecord } from "../../lib/models/metadata.ts";
import { batchCount, batchIndices, epochOrder } from "../../lib/training/batches.ts";

const record = (epoch: number, validationLoss: number): EpochRecord => ({
  epoch,
  loss: 1,
  validationLoss,
  validationMeanAveragePrecision: 0,
  validationOriginalAccuracy: 0,
  trainSeconds: 1,
  imagesPerSecond: 1,
});

Deno.test("shouldStopEarly waits `patience` epochs without a better validation loss", () => {
  const history = [record(1, 0.5), record(2, 0.4), record(3, 0.45)];
  assert.equal(bestEpoch(history)?.epoch, 2);
  assert.equal(shouldStopEarly(history, 0), false);
  assert.equal(shouldStopEarly(history, 1), true);
  assert.equal(shouldStopEarly(history, 2), false);
  assert.equal(shouldStopEarly([...history, record(4, 0.41)], 2), true);
  assert.equal(shouldStopEarly([...history, record(4, 0.39)], 2), false);
});

Deno.test("epochOrder is a seeded permutation that changes with the epoch", () => {
  const a = epochOrder(50, 42, 0);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(a, epochOrder(50, 42, 0));
  assert.notDeepEqual(a, epochOrder(50, 42, 1));
  assert.notDeepEqual(a, epochOrder(50, 43, 0));
});

Deno.test("batches cover the order once, the last one smaller", () => {
  const order = epochOrder(10, 1, 0);
  assert.equal(batchCount(10, 4), 3);
  const seen = [0, 1, 2].flatMap((b) => Array.from(batchIndices(order, 4, b)));
  assert.deepEqual(seen, Array.from(order));
  assert.equal(batchIndices(order, 4, 2).length, 2);
});
