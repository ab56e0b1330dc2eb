import assert from "node:assert/strict";
import { learningRateAt } from "../../lib/training/schedule.ts";

const cosine = { peak: 1, schedule: "cosine", warmupSteps: 10, totalSteps: 110 } as const;

Deno.test("cosine schedule: linear warm-up to the peak, then half a cosine down to 0", () => {
  const rates = Array.from({ length: 110 }, (_, step) => learningRateAt(cosine, step));
  for (let step = 1; step < 10; step++) assert.ok(rates[step] > rates[step - 1], "rises during warm-up");
  assert.ok(rates[0] > 0, "the first step moves the weights");
  assert.equal(rates[10], 1, "the peak right after warm-up");
  assert.ok(Math.abs(rates[60] - 0.5) < 1e-12, "half-way down at the middle of the decay");
  for (let step = 11; step < 110; step++) assert.ok(rates[step] < rates[step - 1], "falls after warm-up");
  assert.ok(rates[109] < 0.001);
});

Deno.test("constant schedule and edge cases", () => {
  assert.equal(learningRateAt({ ...cosine, schedule: "constant" }, 5), 1);
  assert.equal(learningRateAt({ ...cosine, warmupSteps: 0 }, 0), 1);
  assert.equal(learningRateAt({ ...cosine, warmupSteps: 500 }, 50), 51 / 111, "warm-up capped at the run");
  assert.equal(learningRateAt(cosine, 1000), 0, "past the end stays at 0");
});
