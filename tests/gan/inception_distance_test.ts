import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { frechetDistance } from "../../lib/gan/frechet.ts";
import type { ImageBatch } from "../../lib/gan/grid_layout.ts";
import {
  type ImageJudge,
  judgeDistance,
  judgeFeatures,
  loadInceptionJudge,
  planComparison,
} from "../../lib/gan/inception_distance.ts";
import { seededRandom } from "../../lib/util/random.ts";

await initBackend("wasm", { log: () => {} });

/** `count` 64x96 poster-like images: a two-colour gradient and a few seeded blocks each. */
function posters(count: number, seed: number): ImageBatch {
  const random = seededRandom(seed);
  const [width, height] = [64, 96];
  const pixels = new Uint8Array(count * width * height * 3);
  for (let i = 0; i < count; i++) {
    const top = [random(), random(), random()].map((v) => v * 255);
    const bottom = [random(), random(), random()].map((v) => v * 255);
    const blocks = Array.from({ length: 4 }, () => ({
      x: Math.floor(random() * 48),
      y: Math.floor(random() * 80),
      side: 8 + Math.floor(random() * 16),
      colour: [random(), random(), random()].map((v) => v * 255),
    }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const block = blocks.find((b) => x >= b.x && x < b.x + b.side && y >= b.y && y < b.y + b.side);
        for (let c = 0; c < 3; c++) {
          const value = block ? block.colour[c] : top[c] + (bottom[c] - top[c]) * (y / height);
          pixels[((i * height + y) * width + x) * 3 + c] = value;
        }
      }
    }
  }
  return { count, width, height, pixels };
}

/** `images` with seeded Gaussian noise of standard deviation `sigma` (in 0..255 units). */
function noisy(images: ImageBatch, sigma: number): ImageBatch {
  const random = seededRandom(99);
  const pixels = images.pixels.map((v) => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.min(255, Math.round(v + sigma * gaussian)));
  });
  return { ...images, pixels };
}

/** `images` blurred by a 5x5 box filter. */
function blurred(images: ImageBatch): ImageBatch {
  const out = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(images.pixels), [images.count, images.height, images.width, 3]);
    return tf.avgPool(x, 5, 1, "same").round().toInt();
  });
  const pixels = Uint8Array.from(out.dataSync());
  out.dispose();
  return { ...images, pixels };
}

Deno.test("InceptionV3 distance: ~0 for a set with itself, larger for visible noise and for a blur", async () => {
  const judge = await loadInceptionJudge();
  try {
    // Few images (each costs a few hundred ms on wasm): enough for a distance between sets of 4.
    const set = posters(4, 1);
    const features = judgeFeatures(judge, set, { batchSize: 3 });
    assert.equal(features.dim, 2048);
    assert.equal(features.count, 4);
    const again = judgeFeatures(judge, set);
    assert.deepEqual(again.values, features.values, "deterministic, whatever the batch size");
    const self = frechetDistance(features, again);
    // (Not monotonic at every step: measured 1.7, 6.0, 2.6, 3.8 for noise of 2, 8, 16, 48 on these 4.)
    const light = frechetDistance(features, judgeFeatures(judge, noisy(set, 2)));
    const heavy = frechetDistance(features, judgeFeatures(judge, noisy(set, 48)));
    const blur = frechetDistance(features, judgeFeatures(judge, blurred(set)));
    assert.ok(self < 1e-3, `with itself ${self}`);
    assert.ok(light > 100 * Math.max(self, 1e-6), `light noise ${light} vs itself ${self}`);
    assert.ok(heavy > light, `heavy noise ${heavy} vs light ${light}`);
    assert.ok(blur > light, `blur ${blur} vs light noise ${light}`);
  } finally {
    judge.dispose();
  }
});

/** A cheap stand-in judge: each image's mean colour. */
const meanColour: ImageJudge = {
  name: "mean colour",
  features: (pixels) => tf.tidy(() => pixels.div(255).mean([1, 2]) as tf.Tensor2D),
  dispose: () => {},
};

Deno.test("judgeDistance: a floor against other real images, its ratio, and one size only", () => {
  const real = posters(6, 1);
  const other = posters(6, 2);
  const judged = judgeDistance(meanColour, real, noisy(real, 60), { floorReal: other });
  assert.equal(judged.network, "mean colour");
  assert.deepEqual([judged.width, judged.height, judged.realSamples, judged.generatedSamples], [
    64,
    96,
    6,
    6,
  ]);
  assert.ok(judged.floor! > 0);
  assert.equal(judged.overFloor, Math.round((judged.distance / judged.floor!) * 100) / 100);
  assert.equal(judgeDistance(meanColour, real, real).distance, 0);
  const small = { count: 2, width: 32, height: 48, pixels: new Uint8Array(2 * 32 * 48 * 3) };
  assert.throws(() => judgeDistance(meanColour, real, small), /must have one size: 64x96 and 32x48/);
});

Deno.test("planComparison: seeded picks, disjoint floor halves as large as the generated side", () => {
  const names = { real: "real/", generated: "gen/" };
  const all = planComparison({ real: 10, generated: 6 }, names);
  assert.deepEqual([...all.real].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(all.generated.length, 6);
  assert.equal(all.floorReal, undefined);
  assert.deepEqual(planComparison({ real: 10, generated: 6 }, names), all, "the same pick every time");
  assert.notDeepEqual(all.real, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "not in name order");
  assert.equal(planComparison({ real: 10, generated: 6 }, names, { limit: 3 }).real.length, 3);

  const floor = planComparison({ real: 10, generated: 3 }, names, { floor: true });
  assert.deepEqual([floor.real.length, floor.generated.length, floor.floorReal!.length], [3, 3, 3]);
  assert.ok(floor.real.every((i) => !floor.floorReal!.includes(i)), "the halves share no image");
  const halves = planComparison({ real: 9, generated: 100 }, names, { floor: true });
  assert.deepEqual([halves.real.length, halves.generated.length, halves.floorReal!.length], [4, 4, 4]);
  const alone = planComparison({ real: 9 }, { real: "real/" }, { limit: 2 });
  assert.deepEqual([alone.real.length, alone.generated.length, alone.floorReal!.length], [2, 0, 2]);

  assert.throws(
    () => planComparison({ real: 10, generated: 1 }, names),
    /gen\/ holds 1 image: .* at least 2/,
  );
  assert.throws(() => planComparison({ real: 1, generated: 5 }, names), /real\/ holds 1 image/);
  assert.throws(
    () => planComparison({ real: 3, generated: 5 }, names, { floor: true }),
    /real\/ holds 3 images: --floor splits it into two halves of at least 2/,
  );
});
