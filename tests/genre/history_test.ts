import assert from "node:assert/strict";
import { bestEpoch } from "../../lib/models/metadata.ts";
import { shouldStopEarly } from "../../lib/genre/history.ts";
import type { EpochRecord } from "../../lib/models/metadata.ts";

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
