import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import sharp from "sharp";
import { DEFAULT_DATASET } from "../../lib/config.ts";
import { loadGenreData } from "../../lib/dataset/load.ts";
import { predictPoster, predictSaved } from "../../lib/evaluation/predict.ts";
import { disposeSavedModel, loadGenreModel } from "../../lib/models/saved.ts";
import { makeFixtureDataDir } from "../fixtures.ts";
import { saveFixtureModel } from "../inference/model_fixture.ts";

await tf.setBackend("cpu");

/** A poster's RGB bytes from a split's [0, 1] pixels. */
async function posterBytes(data: Awaited<ReturnType<typeof loadGenreData>>, i: number): Promise<Uint8Array> {
  const image = data.images([i]);
  const values = await image.data();
  image.dispose();
  return Uint8Array.from(values, (v) => Math.round(v * 255));
}

Deno.test("predictSaved answers a split as predictPoster answers each poster: blend and mirrored views", async () => {
  const ratio = 10, branchRatio = 20;
  const { dataDir, movies } = await makeFixtureDataDir({ movies: 30 });
  // Posters whose left differs from their right, so a mirror image is another view.
  await Promise.all(movies.map(async (movie, k) => {
    const raw = Uint8Array.from({ length: 182 * 268 * 3 }, (_, i) => ((i / 3) % 182) * (1 + (k % 3)) % 256);
    await sharp(raw, { raw: { width: 182, height: 268, channels: 3 } }).jpeg()
      .toFile(join(dataDir, "posters", `${movie.imdbId}.jpg`));
  }));
  const root = await Deno.makeTempDir();
  try {
    await saveFixtureModel(root, "m", {
      dataDir,
      ratio,
      heads: true,
      branchRatio,
      testTimeMirror: true,
      seed: 3,
    });
    const saved = await loadGenreModel("m", root);
    const dataset = { ...DEFAULT_DATASET, dataDir, ratio };
    const data = await loadGenreData(dataset, "train", { progress: false, resize: true });
    const large = await loadGenreData({ ...dataset, ratio: branchRatio }, "train", {
      progress: false,
      resize: true,
    });
    const split = await predictSaved(saved, data, { batchSize: 4 });
    const g = saved.metadata.genres.length;
    assert.ok(data.movies.length >= 10);
    for (let i = 0; i < data.movies.length; i++) {
      const one = await predictPoster(saved, await posterBytes(data, i), await posterBytes(large, i));
      for (let j = 0; j < g; j++) {
        assert.ok(
          Math.abs(split.probabilities[i * g + j] - one.probabilities[j]) < 1e-5,
          `poster ${i}, genre ${j}`,
        );
      }
      for (let k = 0; k < 2; k++) {
        assert.ok(Math.abs(split.heads[k][i] - one.heads[k][0]) < 1e-5, `head ${k}`);
      }
    }
    // Without the mirror the answers are others: the flag reached the split's path.
    const plain = await predictSaved(
      {
        ...saved,
        metadata: { ...saved.metadata, model: { ...saved.metadata.model, testTimeMirror: false } },
      },
      data,
    );
    assert.ok(plain.probabilities.some((p, k) => Math.abs(p - split.probabilities[k]) > 1e-4));
    disposeSavedModel(saved);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
});
