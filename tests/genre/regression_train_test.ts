import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_MODEL, type ModelConfig } from "../../lib/config.ts";
import type { GenreData } from "../../lib/dataset/types.ts";
import { regressionErrors } from "../../lib/evaluation/evaluate.ts";
import { predictGenres } from "../../lib/evaluation/predict.ts";
import { loadGenreModel } from "../../lib/models/saved.ts";
import { trainOnSplits } from "../../lib/genre/train.ts";
import { colourGenres } from "../training/synthetic_data.ts";

await initBackend("wasm", { log: () => {} });

/** Colour genres whose year and score follow the colour: Comedy-only films are from 1980 and score 5. */
function withYearAndScore(data: GenreData): GenreData {
  data.movies.forEach((movie, i) => {
    const comedyOnly = !movie.genres.includes("Drama");
    movie.year = comedyOnly ? 1980 + (i % 3) : 2010 + (i % 3);
    movie.score = i % 5 === 0 ? undefined : comedyOnly ? 5 : 8; // some films have no score
  });
  return data;
}

Deno.test("--targets genres,year,rating: heads learn year and score from the poster, beating the training mean", async () => {
  const savedModelsDir = await Deno.makeTempDir();
  const config: ModelConfig = {
    ...DEFAULT_MODEL,
    epochs: 4,
    batchSize: 16,
    learningRate: 1e-3,
    seed: 7,
    targets: ["year", "rating"],
  };
  const train = withYearAndScore(colourGenres(96, 21));
  const validation = withYearAndScore(colourGenres(48, 22, "validation"));
  const { metadata, model } = await trainOnSplits(train, validation, config, {
    savedModelsDir,
    runsDir: await Deno.makeTempDir(),
    log: () => {},
    progress: false,
  });
  model.dispose();
  assert.equal(metadata.name, "genres2_ratio30_v1_e4_1977-2017_bce_year_rating_seed7");
  assert.ok(Math.abs(metadata.regression!.year!.mean - 1998) < 10);
  assert.ok(
    metadata.history.every((r) =>
      r.validationMae?.year !== undefined && r.validationMae?.rating !== undefined
    ),
  );

  const saved = await loadGenreModel(metadata.name, savedModelsDir);
  assert.equal(saved.model.outputs.length, 3);
  const test = withYearAndScore(colourGenres(60, 23, "test"));
  const predictions = await predictGenres(saved.model, test);
  assert.equal(predictions.heads.length, 2);
  const errors = regressionErrors(test.movies, predictions.heads, saved.metadata.regression!);
  assert.equal(errors.rating!.count, 48, "films without a score are left out");
  assert.ok(errors.year!.baselineMae > 10, `baseline ${errors.year!.baselineMae}`);
  assert.ok(
    errors.year!.mae < errors.year!.baselineMae * 0.6,
    `year MAE ${errors.year!.mae} vs ${errors.year!.baselineMae}`,
  );
  assert.ok(
    errors.rating!.mae < errors.rating!.baselineMae * 0.6,
    `rating ${errors.rating!.mae} vs ${errors.rating!.baselineMae}`,
  );
  saved.model.dispose();
  await Deno.remove(savedModelsDir, { recursive: true });
});
