import assert from "node:assert/strict";
import { groupSpread, spreadOverReal } from "../../lib/gan/spread.ts";
import { seededRandom } from "../../lib/util/random.ts";

/** `count` random vectors of `dim` values around `centre`, each value within ±`width`/2. */
function cloud(random: () => number, count: number, dim: number, centre: number, width: number): number[] {
  return Array.from({ length: count * dim }, () => centre + (random() - 0.5) * width);
}

Deno.test("groupSpread: each group's mean squared distance to its own mean", () => {
  // Group 0: (0,0) and (2,0), mean (1,0), each 1 away. Group 1: (10,10) (10,14) (10,12), mean (10,12).
  const features = { count: 5, dim: 2, values: new Float32Array([0, 0, 10, 10, 2, 0, 10, 14, 10, 12]) };
  const spread = groupSpread(features, [0, 1, 0, 1, 1]);
  assert.equal(spread.get(0), 1);
  assert.ok(Math.abs(spread.get(1)! - 8 / 3) < 1e-12);
  // A group of one has no spread to speak of; the other groups' figures do not depend on it.
  assert.deepEqual([...groupSpread(features, [0, 1, 0, 1, 2]).keys()].sort(), [0, 1]);
  assert.throws(() => groupSpread(features, [0, 1]), /2 group labels for 5 feature vectors/);
});

Deno.test("spreadOverReal: a group drawn as one poster whatever the noise shows, the others do not", () => {
  const random = seededRandom(7);
  const groups = Array.from({ length: 120 }, (_, i) => i % 3);
  const real = { count: 120, dim: 8, values: Float32Array.from(cloud(random, 120, 8, 0, 2)) };
  // Generated: groups 0 and 1 as varied as the real posters, group 2 nearly one point.
  const values = Float32Array.from(cloud(random, 120, 8, 0, 2));
  groups.forEach((g, i) => {
    if (g === 2) { for (let j = 0; j < 8; j++) values[i * 8 + j] = 0.3 + values[i * 8 + j] * 0.05; }
  });
  const ratios = spreadOverReal(real, { count: 120, dim: 8, values }, groups);
  for (const g of [0, 1]) assert.ok(Math.abs(ratios.get(g)! - 1) < 0.25, `group ${g}: ${ratios.get(g)}`);
  assert.ok(ratios.get(2)! < 0.01, `collapsed group: ${ratios.get(2)}`);
  // Shifting every generated poster by the same amount changes no spread: it measures variety only.
  const shifted = spreadOverReal(real, { count: 120, dim: 8, values: values.map((v) => v + 5) }, groups);
  assert.deepEqual(shifted, ratios);
});
