import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_AUGMENT } from "../../lib/config.ts";
import { genreData } from "../../lib/dataset/load.ts";
import { augmentBatch, drawTransform, type ImageTransform, transformImage } from "../../lib/genre/augment.ts";
import { seededRandom } from "../../lib/util/random.ts";

await tf.setBackend("cpu");

const W = 5, H = 4;
/** Pixel (x, y) has red 10x + 1, green 10y + 1, blue 100. */
const source = new Uint8Array(W * H * 3).map((_, i) => {
  const p = Math.floor(i / 3), c = i % 3;
  return c === 0 ? 10 * (p % W) + 1 : c === 1 ? 10 * Math.floor(p / W) + 1 : 100;
});
const identity: ImageTransform = {
  dx: 0,
  dy: 0,
  scale: 1,
  mirror: false,
  brightness: 1,
  contrast: 1,
  saturation: 1,
};
const run = (t: ImageTransform) => {
  const out = new Float32Array(W * H * 3);
  transformImage(source, W, H, t, out);
  return out;
};
const red = (out: Float32Array, x: number, y: number) => Math.round(out[(y * W + x) * 3] * 255);

Deno.test("the identity transform gives the pixels / 255", () => {
  const out = run(identity);
  out.forEach((v, i) => assert.ok(Math.abs(v - source[i] / 255) < 1e-6));
});

Deno.test("shift moves content and repeats edge pixels; mirror flips left-right", () => {
  const shifted = run({ ...identity, dx: 2 });
  assert.equal(red(shifted, 2, 0), 1, "column 0 moved to column 2");
  assert.equal(red(shifted, 0, 0), 1, "the uncovered edge repeats column 0");
  assert.equal(red(shifted, 4, 0), 21);
  const mirrored = run({ ...identity, mirror: true });
  for (let x = 0; x < W; x++) assert.equal(red(mirrored, x, 1), 10 * (W - 1 - x) + 1);
  const down = run({ ...identity, dy: -1 });
  assert.equal(Math.round(down[(0 * W) * 3 + 1] * 255), 11, "row 1 moved up to row 0");
});

Deno.test("brightness scales, saturation 0 greys, values stay in [0, 1]", () => {
  const bright = run({ ...identity, brightness: 1.5 });
  bright.forEach((v, i) => assert.ok(Math.abs(v - Math.min(1, (source[i] / 255) * 1.5)) < 1e-6));
  const grey = run({ ...identity, saturation: 0 });
  for (let p = 0; p < W * H; p++) {
    assert.ok(
      Math.abs(grey[p * 3] - grey[p * 3 + 2]) < 1e-6 && Math.abs(grey[p * 3 + 1] - grey[p * 3]) < 1e-6,
    );
  }
  const harsh = run({ ...identity, contrast: 5, brightness: 3 });
  harsh.forEach((v) => assert.ok(v >= 0 && v <= 1));
});

Deno.test("draws stay within the configured ranges; mirroring only when asked", () => {
  const random = seededRandom(3);
  let mirrored = 0;
  for (let i = 0; i < 500; i++) {
    const t = drawTransform({ ...DEFAULT_AUGMENT, mirror: true }, 100, 200, random);
    assert.ok(Math.abs(t.dx) <= 8 && Math.abs(t.dy) <= 16);
    assert.ok(t.scale >= 1 && t.scale <= 1.1);
    assert.ok(Math.abs(t.brightness - 1) <= 0.2 && Math.abs(t.contrast - 1) <= 0.2);
    if (t.mirror) mirrored++;
    assert.equal(drawTransform(DEFAULT_AUGMENT, 100, 200, random).mirror, false);
  }
  assert.ok(mirrored > 200 && mirrored < 300, `about half mirrored, got ${mirrored}`);
});

Deno.test("augmentBatch: seeded, the batch's shape, and different from the plain images", () => {
  const movies = [0, 1, 2].map((i) => ({
    imdbId: i,
    title: `m${i}`,
    genres: ["Drama"],
    imdbLink: "",
    line: i + 2,
  }));
  const pixels = new Uint8Array(3 * W * H * 3);
  for (let k = 0; k < 3; k++) pixels.set(source, k * source.length);
  const config = { dataDir: "x", minYear: 1900, maxYear: 2100, genres: ["Drama" as const], ratio: 30 };
  const data = genreData(config, "train", movies, pixels, [3, H, W, 3]);
  const a = augmentBatch(data, [2, 0], DEFAULT_AUGMENT, seededRandom(9));
  const b = augmentBatch(data, [2, 0], DEFAULT_AUGMENT, seededRandom(9));
  assert.deepEqual(a.shape, [2, H, W, 3]);
  assert.deepEqual(a.dataSync(), b.dataSync());
  const plain = data.images([2, 0]).dataSync();
  assert.notDeepEqual(Array.from(a.dataSync()), Array.from(plain));
  assert.throws(
    () => augmentBatch(data, [3], DEFAULT_AUGMENT, seededRandom(1)),
    /outside the 3 train movies/,
  );
});
