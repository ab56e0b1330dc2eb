import assert from "node:assert/strict";
import { blendOutputs, mix } from "../../lib/models/blend.ts";

Deno.test("mix weighs the second array by the weight and the first by the rest", () => {
  assert.deepEqual(Array.from(mix(Float32Array.of(0, 1, 0.5), Float32Array.of(1, 0, 0.5), 0.25)), [
    0.25,
    0.75,
    0.5,
  ]);
  assert.deepEqual(Array.from(mix(Float32Array.of(0.2), Float32Array.of(0.9), 0)), [Math.fround(0.2)]);
  assert.throws(() => mix(Float32Array.of(1, 2), Float32Array.of(1), 0.5), /Can't blend 2 values with 1/);
});

Deno.test("blendOutputs blends genres and each head with its own weight", () => {
  const cnn = { probabilities: Float32Array.of(0.2, 0.8), heads: [Float32Array.of(1), Float32Array.of(-1)] };
  const branch = {
    probabilities: Float32Array.of(0.6, 0.4),
    heads: [Float32Array.of(0), Float32Array.of(1)],
  };
  const { probabilities, heads } = blendOutputs(cnn, branch, { genreWeight: 0.5, headWeights: [0.25, 1] });
  assert.deepEqual(Array.from(probabilities, (p) => Math.round(p * 1e6) / 1e6), [0.4, 0.6]);
  assert.deepEqual(heads.map((h) => Array.from(h)), [[0.75], [1]]);
});
