import assert from "node:assert/strict";
import { calibration } from "../../lib/evaluation/calibration.ts";
import { seededRandom } from "../../lib/util/random.ts";

Deno.test("calibration bins predictions by probability and measures each bin's gap", () => {
  const { bins, expectedError } = calibration(
    Float32Array.of(0.05, 0.15, 0.95, 1, 0.92),
    Uint8Array.of(0, 1, 1, 1, 0),
    10,
  );
  assert.deepEqual(bins.map((b) => b.count), [1, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
  assert.ok(Number.isNaN(bins[2].predicted));
  assert.ok(Math.abs(bins[9].observed - 2 / 3) < 1e-9);
  const gap = (0.05 - 0) * 1 + (1 - 0.15) * 1 + Math.abs((0.95 + 1 + 0.92) / 3 - 2 / 3) * 3;
  assert.ok(Math.abs(expectedError - gap / 5) < 1e-6, `${expectedError}`);
});

Deno.test("probabilities drawn as the truth's odds are calibrated; overconfident ones are not", () => {
  const random = seededRandom(3);
  const n = 20000;
  const p = Float32Array.from({ length: n }, () => random());
  const labels = Uint8Array.from(p, (q) => (random() < q ? 1 : 0));
  assert.ok(calibration(p, labels).expectedError < 0.02);
  const sharp = p.map((q) => (q > 0.5 ? 0.99 : 0.01));
  assert.ok(calibration(sharp, labels).expectedError > 0.2);
  assert.throws(() => calibration(p, labels.subarray(1)), /20000 probabilities but 19999 labels/);
});
