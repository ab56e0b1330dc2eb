import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_FEATURE_BRANCH } from "../../lib/config.ts";
import { transferExperiment } from "../../lib/genre/transfer.ts";
import { genreData } from "../../lib/dataset/load.ts";
import type { GenreData, Split } from "../../lib/dataset/types.ts";
import { colourGenres } from "../training/synthetic_data.ts";

/** The synthetic colour genres, each 12x12 image blown up 3x to 36x36 (MobileNetV2 strides by 32). */
function largeColourGenres(count: number, seed: number, split: Split = "train"): GenreData {
  const small = colourGenres(count, seed, split);
  const [n, h, w] = small.shape;
  const pixels = new Uint8Array(n * h * 3 * w * 3 * 3);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h * 3; y++) {
      for (let x = 0; x < w * 3; x++) {
        for (let c = 0; c < 3; c++) {
          pixels[((i * h * 3 + y) * w * 3 + x) * 3 + c] =
            small.pixels[((i * h + Math.floor(y / 3)) * w + Math.floor(x / 3)) * 3 + c];
        }
      }
    }
  }
  return genreData(small.config, split, small.movies, pixels, [n, h * 3, w * 3, 3]);
}

await initBackend("wasm", { log: () => {} });

Deno.test("transfer: frozen MobileNetV2 features and a trained head, scored on validation", async () => {
  const train = largeColourGenres(48, 21);
  const validation = largeColourGenres(24, 22, "validation");
  const result = await transferExperiment(train, validation, {
    ...DEFAULT_FEATURE_BRANCH,
    epochs: 12,
    batchSize: 16,
  }, { progress: false });
  assert.equal(result.validation.count, 24);
  // The colour genres are plain to ImageNet features: the head ranks them well above chance.
  assert.ok(result.validation.meanAveragePrecision > 0.8, `mAP ${result.validation.meanAveragePrecision}`);
  assert.ok(result.featureSeconds > 0 && result.headSeconds > 0);
  await assert.rejects(
    transferExperiment(colourGenres(8, 1), colourGenres(4, 2, "validation"), DEFAULT_FEATURE_BRANCH, {
      progress: false,
    }),
    /MobileNetV2 needs images of at least 32x32 pixels .*got 12x12/,
  );
});
