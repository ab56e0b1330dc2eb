import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  selectiveUnits,
  topPostersOfUnit,
  type UnitActivations,
  unitsPerGenre,
} from "../../lib/inference/neurons.ts";
import { lastConvActivations } from "../../lib/inference/neurons.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import type { GenreData } from "../../lib/dataset/types.ts";

await tf.setBackend("cpu");

Deno.test("units per genre: means over the genre's posters, selective units, most exciting posters", () => {
  // 4 posters, 3 units, 2 genres. Unit 1 fires for genre A's posters, unit 2 for everything.
  const activations: UnitActivations = {
    units: 3,
    values: Float32Array.from([
      0.1,
      2.0,
      1.0, // A
      0.0,
      3.0,
      1.1, // A
      0.2,
      0.0,
      0.9, // B
      0.3,
      0.1,
      1.0, // B
    ]),
  };
  const labels = Uint8Array.from([1, 0, 1, 0, 0, 1, 0, 1]);
  const neurons = unitsPerGenre(activations, { genres: ["Action", "Drama"], labels });
  assert.deepEqual(neurons.byGenre[0].map((v) => +v.toFixed(3)), [0.05, 2.5, 1.05]);
  assert.deepEqual(neurons.byGenre[1].map((v) => +v.toFixed(3)), [0.25, 0.05, 0.95]);
  assert.deepEqual(neurons.overall.map((v) => +v.toFixed(3)), [0.15, 1.275, 1]);
  assert.equal(selectiveUnits(neurons, 0, 1)[0], 1);
  assert.equal(selectiveUnits(neurons, 1, 1)[0], 0);
  assert.deepEqual(topPostersOfUnit(activations, 1, 2), [1, 0]);
  assert.deepEqual(topPostersOfUnit(activations, 0, 1), [3]);
});

Deno.test("last conv activations: one row per poster, one column per filter of the last conv layer", async () => {
  const model = buildGenreCnn({ height: 27, width: 18, genres: 3, version: 1 });
  const count = 5;
  const images = tf.randomUniform([count, 27, 18, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const data = {
    movies: new Array(count).fill({}),
    images: (indices?: ArrayLike<number>) => tf.gather(images, Array.from(indices ?? [])) as tf.Tensor4D,
  } as unknown as GenreData;
  const activations = await lastConvActivations(model, data, 2);
  assert.equal(activations.units, 64);
  assert.equal(activations.values.length, count * 64);
  // Row 3 equals the conv output of poster 3 averaged over the map.
  const conv = tf.model({ inputs: model.inputs, outputs: model.layers[5].output as tf.SymbolicTensor });
  const expected = tf.tidy(() => (conv.predict(images.slice([3], [1])) as tf.Tensor).mean([1, 2]).dataSync());
  for (let k = 0; k < 64; k++) assert.ok(Math.abs(activations.values[3 * 64 + k] - expected[k]) < 1e-5);
  images.dispose();
  model.dispose();
});
