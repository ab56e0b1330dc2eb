import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_MODEL, type ModelConfig } from "../../lib/config.ts";
import { loadGenreModel } from "../../lib/models/saved.ts";
import { trainOnSplits } from "../../lib/genre/train.ts";
import { bestEpoch } from "../../lib/models/metadata.ts";
import { join } from "node:path";
import { colourGenres } from "../training/synthetic_data.ts";
import { TrainingDiverged } from "../../lib/training/loop.ts";
import { loadCheckpoint } from "../../lib/training/checkpoint.ts";
import { cnnRunName, cnnRunPaths, SavedModelExistsError } from "../../lib/genre/train.ts";
import { readMetadata } from "../../lib/models/saved.ts";

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

Deno.test("a run whose learning rate is absurd (1e9) stops with what to do; no model is saved, its checkpoint stays finite", async () => {
  const savedModelsDir = await Deno.makeTempDir();
  const runsDir = await Deno.makeTempDir();
  const config: ModelConfig = { ...DEFAULT_MODEL, epochs: 2, batchSize: 16, learningRate: 1e9 };
  const train = colourGenres(48, 11);
  const validation = colourGenres(24, 12, "validation");
  const runDir = join(runsDir, "cnn", cnnRunName(train.config, config));
  const error = await trainOnSplits(train, validation, config, {
    savedModelsDir,
    runsDir,
    checkpointEveryBatches: 1,
    log: () => {},
    progress: false,
  }).then(() => undefined, (e) => e);
  assert.ok(error instanceof TrainingDiverged, `expected TrainingDiverged, got ${error}`);
  assert.match(
    error.message,
    new RegExp(`^Training of ${runDir} diverged at step ${error.step} \\(epoch 1, batch ${error.step}\\): `),
  );
  assert.match(error.message, /(the loss is NaN|weights of model are NaN or infinite)/);
  assert.match(error.message, /lower --learning-rate/i);
  assert.deepEqual([...Deno.readDirSync(savedModelsDir)], [], "no model is saved");
  assert.ok(error.step > 1, "a first step at 1e9 still leaves finite weights");
  const checkpoint = await loadCheckpoint(join(runDir, "checkpoint"));
  assert.ok(checkpoint, "the steps before it left a checkpoint");
  assert.equal(checkpoint.state.position.step, error.step - 1);
  assert.match(
    error.message,
    /Lower --learning-rate and resume from it with --resume .* or delete .* and train again/,
  );
  for (const weight of checkpoint.models.model.getWeights()) {
    assert.ok(weight.dataSync().every(Number.isFinite), "the checkpoint holds finite weights");
  }
  checkpoint.models.model.dispose();
  await Deno.remove(savedModelsDir, { recursive: true });
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("a saved model of the same name is refused before training; force replaces it; a seed or a name saves beside it", async () => {
  const savedModelsDir = await Deno.makeTempDir();
  const runsDir = await Deno.makeTempDir();
  const config: ModelConfig = { ...DEFAULT_MODEL, epochs: 1, batchSize: 16, learningRate: 1e-3 };
  const train = colourGenres(32, 11);
  const validation = colourGenres(16, 12, "validation");
  const lines: string[] = [];
  const options = { savedModelsDir, runsDir, log: (l: string) => lines.push(l), progress: false };
  const run = async (model: ModelConfig, extra: { force?: boolean; name?: string } = {}) => {
    const result = await trainOnSplits(train, validation, model, { ...options, ...extra });
    result.model.dispose();
    return result;
  };
  const first = await run(config);
  const dir = join(savedModelsDir, "genres2_ratio30_v1_e1_1977-2017_bce");
  assert.equal(first.dir, dir);

  lines.length = 0;
  const refused = await trainOnSplits(train, validation, config, options).then(() => undefined, (e) => e);
  assert.ok(refused instanceof SavedModelExistsError, String(refused));
  assert.equal(
    refused.message,
    `${dir} already holds a saved model (trained ${first.metadata.savedAt.slice(0, 10)}, not evaluated): ` +
      `add --force to replace it, or --name NAME to save this one under another name (or delete ${dir}).`,
  );
  assert.ok(!lines.some((l) => l.startsWith("model ")), "refused before training");
  assert.equal((await readMetadata(dir)).savedAt, first.metadata.savedAt, "the saved model is untouched");
  assert.deepEqual([...Deno.readDirSync(join(runsDir, "cnn"))], [], "and no run folder is left");

  const replaced = await run(config, { force: true });
  assert.equal(replaced.dir, dir);
  assert.notEqual((await readMetadata(dir)).savedAt, first.metadata.savedAt, "--force replaced it");

  // Another seed is another model and another run folder; the default seed's names stay as they were.
  const seeded = await run({ ...config, seed: 7 });
  assert.equal(seeded.metadata.name, "genres2_ratio30_v1_e1_1977-2017_bce_seed7");
  assert.equal(cnnRunName(train.config, { ...config, seed: 7 }), "genres2_ratio30_v1_1977-2017_bce_seed7");
  assert.equal(cnnRunName(train.config, config), "genres2_ratio30_v1_1977-2017_bce");
  // --name: saved (and run) under that name instead; a path is no name.
  const named = await run(config, { name: "mine" });
  assert.equal(named.dir, join(savedModelsDir, "mine"));
  assert.equal(named.metadata.name, "mine");
  assert.equal(
    cnnRunPaths(train.config, config, { name: "mine", runsDir }).runDir,
    join(runsDir, "cnn", "mine"),
  );
  assert.throws(
    () => cnnRunPaths(train.config, config, { name: "../../x" }),
    /Model name "..\/..\/x" may not/,
  );
  assert.deepEqual(
    [...Deno.readDirSync(savedModelsDir)].map((e) => e.name).sort(),
    ["genres2_ratio30_v1_e1_1977-2017_bce", "genres2_ratio30_v1_e1_1977-2017_bce_seed7", "mine"],
  );
  await Deno.remove(savedModelsDir, { recursive: true });
  await Deno.remove(runsDir, { recursive: true });
});
