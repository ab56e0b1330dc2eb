import assert from "node:assert/strict";
import { learningRateAt, linearDecayTailAt } from "../../lib/training/schedule.ts";

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

Deno.test("linear decay tail: constant without one, then linear to 0 over the last steps", () => {
  const at = (step: number, decaySteps: number) =>
    linearDecayTailAt({ peak: 2e-4, totalSteps: 1000, decaySteps }, step);
  assert.deepEqual([0, 500, 999].map((s) => at(s, 0)), [2e-4, 2e-4, 2e-4]);
  // Full rate up to the tail's first step, half way at its middle, one step's worth at the last.
  assert.equal(at(0, 200), 2e-4);
  assert.equal(at(800, 200), 2e-4);
  assert.ok(Math.abs(at(900, 200) - 1e-4) < 1e-15);
  assert.ok(Math.abs(at(999, 200) - 2e-4 / 200) < 1e-15);
  assert.ok(at(850, 200) > at(851, 200), "the tail falls at every step");
  assert.equal(at(1200, 200), 0, "past the end, never below 0");
});
