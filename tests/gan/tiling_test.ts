import assert from "node:assert/strict";
import { periodicEnergy } from "../../lib/gan/tiling.ts";

/** RGB images (all channels equal) from a function of (image, y, x). */
function images(
  count: number,
  height: number,
  width: number,
  f: (i: number, y: number, x: number) => number,
) {
  const pixels = new Float32Array(count * height * width * 3);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        pixels.fill(f(i, y, x), ((i * height + y) * width + x) * 3, ((i * height + y) * width + x + 1) * 3);
      }
    }
  }
  return { pixels, size: { count, height, width } };
}

Deno.test("periodicEnergy: a tiled pattern has all its energy at the tile frequencies, noise little", () => {
  // The same random 4x4 tile repeated over 16x24: every frequency is a multiple of the tile's.
  const tile = Array.from({ length: 16 }, (_, k) => Math.sin(k * 12.9898) * 43758.5453 % 1);
  const tiled = images(2, 24, 16, (_i, y, x) => tile[(y % 4) * 4 + (x % 4)]);
  assert.ok(Math.abs(periodicEnergy(tiled.pixels, tiled.size, 4) - 1) < 1e-9);
  // A checkerboard (period 2) is found among the period-4 frequencies too.
  const checker = images(1, 24, 16, (_i, y, x) => ((x + y) % 2 ? 1 : -1));
  assert.ok(Math.abs(periodicEnergy(checker.pixels, checker.size, 4) - 1) < 1e-9);
  // White noise spreads evenly: 15 of the 384 frequencies (minus the mean) hold about 15/383 of it.
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const noise = images(20, 24, 16, () => random());
  const share = periodicEnergy(noise.pixels, noise.size, 4);
  assert.ok(share > 0.02 && share < 0.06, `noise share ${share}`);
  // A flat image has no pattern.
  const flat = images(1, 24, 16, () => 0.5);
  assert.equal(periodicEnergy(flat.pixels, flat.size, 4), 0);
});

Deno.test("periodicEnergy refuses a period that does not divide the image", () => {
  const { pixels, size } = images(1, 12, 8, () => 0);
  assert.throws(() => periodicEnergy(pixels, size, 8), /8x12 have no 8-pixel period/);
});
