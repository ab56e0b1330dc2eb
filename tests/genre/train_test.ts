import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_MODEL, type ModelConfig } from "../../lib/config.ts";
import { loadGenreModel } from "../../lib/models/saved.ts";
import { trainOnSplits } from "../../lib/genre/train.ts";
import { bestEpoch } from "../../lib/models/metadata.ts";
import { join } from "node:path";
import { colourGenres } from "../training/synthetic_data.ts";

await initBackend("wasm", { log: () => {} });

Deno.test("trainOnSplits saves a complete model folder and removes the run's folder", async () => {
  const savedModelsDir = await Deno.makeTempDir();
  const runsDir = await Deno.makeTempDir();
  const config: ModelConfig = { ...DEFAULT_MODEL, epochs: 2, batchSize: 16, learningRate: 1e-3 };
  const train = colourGenres(48, 11);
  const validation = colourGenres(24, 12, "validation");
  const { dir, metadata, model, validation: predictions } = await trainOnSplits(train, validation, config, {
    savedModelsDir,
    runsDir,
    checkpointEveryBatches: 1,
    log: () => {},
    progress: false,
  });
  assert.equal(metadata.name, "genres2_ratio30_v1_e2_1977-2017_bce");
  assert.equal(dir, `${savedModelsDir}/${metadata.name}`);
  assert.deepEqual(metadata.history.map((r) => r.epoch), [1, 2]);
  assert.deepEqual(metadata.splitCounts, { train: 48, validation: 24 });
  assert.equal(metadata.trainGenreFrequencies.length, 2);
  assert.equal(metadata.backend, "wasm");
  assert.ok(metadata.threshold > 0 && metadata.threshold < 1);
  assert.deepEqual(
    [...Deno.readDirSync(join(runsDir, "cnn"))],
    [],
    "the run's folder (runs/cnn/<name>/, with its checkpoint) is gone once the model is saved",
  );
  assert.equal(metadata.bestEpoch, bestEpoch(metadata.history)!.epoch);
  assert.equal(predictions.probabilities.length, 24 * 2, "the validation predictions come back");

  const loaded = await loadGenreModel(metadata.name, savedModelsDir);
  const images = validation.images();
  const expected = await (model.predict(images) as tf.Tensor).data();
  const actual = await (loaded.model.predict(images) as tf.Tensor).data();
  assert.deepEqual(
    Array.from(actual),
    Array.from(expected),
    "the saved model predicts exactly as the trained one",
  );
  tf.dispose(images);
  model.dispose();
  loaded.model.dispose();
  await Deno.remove(savedModelsDir, { recursive: true });
  await Deno.remove(runsDir, { recursive: true });
});
