import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/mod.ts";
import { DEFAULT_MODEL, type ModelConfig, modelDefaults } from "../../lib/config.ts";
import { fitGenreModel, type GenreTaskState } from "../../lib/genre/fit.ts";
import { TrainingInterrupted } from "../../lib/training/run.ts";
import { loadCheckpoint } from "../../lib/training/checkpoint.ts";
import { predictGenres } from "../../lib/evaluation/predict.ts";
import { multiLabelMetrics } from "../../lib/evaluation/metrics.ts";
import { lossFunction } from "../../lib/models/losses.ts";
import { colourGenres } from "../training/synthetic_data.ts";

// The project's training backend: the pure-JS cpu backend takes ~9 s per step even at 12x12 here.
await initBackend("wasm", { log: () => {} });

const quick: ModelConfig = { ...DEFAULT_MODEL, epochs: 4, batchSize: 16, learningRate: 1e-3, seed: 7 };
const silent = { log: () => {}, progress: false };

Deno.test("a tiny CNN learns the synthetic colour genres: loss falls, accuracy above chance", async () => {
  const train = colourGenres(96, 1);
  const validation = colourGenres(48, 2, "validation");
  const losses: number[] = [];
  const result = await fitGenreModel(train, validation, quick, {
    ...silent,
    onBatch: (s) => losses.push(s.loss),
  });
  assert.equal(result.history.length, 4);
  const firstEpoch = result.history[0].loss;
  const lastEpoch = result.history[3].loss;
  assert.ok(lastEpoch < firstEpoch * 0.7, `training loss should fall: ${firstEpoch} → ${lastEpoch}`);
  assert.ok(
    result.history[3].validationLoss < result.history[0].validationLoss,
    "validation loss should fall",
  );
  const test = colourGenres(60, 3, "test");
  const { probabilities } = await predictGenres(result.model, test);
  const metrics = multiLabelMetrics(probabilities, test.labels, test.genres, 0.5);
  // Chance: a third of the films have each label pattern, so hamming loss of a coin is 0.5.
  assert.ok(metrics.hammingLoss < 0.2, `hamming loss ${metrics.hammingLoss}`);
  assert.ok(metrics.meanAveragePrecision > 0.9, `mAP ${metrics.meanAveragePrecision}`);
  result.model.dispose();
});

Deno.test("an interrupted run resumes from its checkpoint and continues where it stopped", async () => {
  const dir = await Deno.makeTempDir();
  const checkpointDir = `${dir}/checkpoint`;
  const train = colourGenres(64, 4);
  const validation = colourGenres(16, 5, "validation");
  const config: ModelConfig = { ...quick, epochs: 2 };
  const controller = new AbortController();
  const firstRunBatches: string[] = [];
  await assert.rejects(
    fitGenreModel(train, validation, config, {
      ...silent,
      checkpointDir,
      checkpointEveryBatches: 0,
      signal: controller.signal,
      onBatch: (s) => {
        firstRunBatches.push(`${s.epoch}.${s.batch}`);
        if (s.epoch === 2 && s.batch === 2) controller.abort();
      },
    }),
    TrainingInterrupted,
  );
  const saved = await loadCheckpoint(checkpointDir);
  assert.ok(saved, "a checkpoint was written");
  assert.equal(saved.state.position.epoch, 1);
  assert.equal(saved.state.position.batchInEpoch, 2);
  assert.equal((saved.state.task as GenreTaskState).history.length, 1);
  saved.models.model.dispose();

  const resumedBatches: string[] = [];
  const result = await fitGenreModel(train, validation, config, {
    ...silent,
    checkpointDir,
    resume: true,
    onBatch: (s) => resumedBatches.push(`${s.epoch}.${s.batch}`),
  });
  assert.deepEqual(firstRunBatches, ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"]);
  assert.deepEqual(resumedBatches, ["2.3", "2.4"]);
  assert.equal(result.history.length, 2);
  assert.equal(
    result.history[0].loss,
    (saved.state.task as GenreTaskState).history[0].loss,
    "epoch 1 comes from the checkpoint",
  );
  result.model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("resuming with a different model config is refused with a clear error", async () => {
  const dir = await Deno.makeTempDir();
  const train = colourGenres(16, 6);
  const validation = colourGenres(8, 7, "validation");
  const first = await fitGenreModel(train, validation, { ...quick, epochs: 1 }, {
    ...silent,
    checkpointDir: dir,
  });
  first.model.dispose();
  await assert.rejects(
    fitGenreModel(train, validation, { ...quick, epochs: 2, version: 2 }, {
      ...silent,
      checkpointDir: dir,
      resume: true,
    }),
    /Cannot resume .*: model\.version: 1 → 2\. Resume with the flags of the interrupted run \(only model\.epochs, model\.earlyStoppingPatience, model\.learningRate may change\)/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("one resume policy: --resume without a checkpoint and a fresh start over one are errors", async () => {
  const dir = await Deno.makeTempDir();
  const train = colourGenres(16, 6);
  const validation = colourGenres(8, 7, "validation");
  const config: ModelConfig = { ...quick, epochs: 1 };
  await assert.rejects(
    fitGenreModel(train, validation, config, { ...silent, checkpointDir: `${dir}/checkpoint`, resume: true }),
    /Nothing to resume in .*: it has no checkpoint\. Train without --resume\./,
  );
  const first = await fitGenreModel(train, validation, config, {
    ...silent,
    checkpointDir: `${dir}/checkpoint`,
  });
  first.model.dispose();
  await assert.rejects(
    fitGenreModel(train, validation, config, { ...silent, checkpointDir: `${dir}/checkpoint` }),
    /already holds a run: add --resume to continue it/,
  );
  // The declared keys may change on resume: one more epoch continues the finished run.
  const longer = await fitGenreModel(train, validation, { ...config, epochs: 2 }, {
    ...silent,
    checkpointDir: `${dir}/checkpoint`,
    resume: true,
  });
  assert.deepEqual(longer.history.map((r) => r.epoch), [1, 2]);
  longer.model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("early stopping ends the run once validation loss stops improving for `patience` epochs", async () => {
  const train = colourGenres(32, 8);
  const validation = colourGenres(16, 9, "validation");
  // Learning rate 0: the weights never change, so validation loss never improves after epoch 1.
  const config: ModelConfig = { ...quick, epochs: 6, learningRate: 0, earlyStoppingPatience: 2 };
  const result = await fitGenreModel(train, validation, config, silent);
  assert.equal(result.stoppedEarly, true);
  assert.deepEqual(result.history.map((r) => r.epoch), [1, 2, 3]);
  result.model.dispose();
});

Deno.test("early stopping returns the best validation epoch's weights and predictions; history keeps every epoch", async () => {
  // Validation posters wear the other genre's colour: the better the model learns the training
  // colours, the worse its validation loss, so epoch 1 is the best and patience 2 stops after epoch 3.
  const train = colourGenres(64, 13);
  const validation = colourGenres(32, 14, "validation", true);
  const config: ModelConfig = { ...quick, epochs: 6, earlyStoppingPatience: 2 };
  const result = await fitGenreModel(train, validation, config, silent);
  const losses = result.history.map((r) => r.validationLoss);
  assert.ok(losses[1] > losses[0] && losses[2] > losses[0], `validation loss should rise: ${losses}`);
  assert.deepEqual(result.history.map((r) => r.epoch), [1, 2, 3], "every epoch trained is in the history");
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.bestEpoch, 1);
  assert.ok(Math.abs(result.validation.loss - losses[0]) < 1e-6, "the returned predictions are epoch 1's");
  const again = await predictGenres(result.model, validation, { loss: lossFunction(config.loss) });
  assert.ok(
    Math.abs(again.loss - losses[0]) < 1e-5,
    `the returned model is epoch 1's: loss ${again.loss}, epoch 1 ${losses[0]}, epoch 3 ${losses[2]}`,
  );
  result.model.dispose();
});

Deno.test("a resumed run still returns the best epoch, saved in the checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const checkpointDir = `${dir}/checkpoint`;
  const train = colourGenres(64, 13);
  const validation = colourGenres(32, 14, "validation", true);
  const config: ModelConfig = { ...quick, epochs: 3 };
  const stop = new AbortController();
  await assert.rejects(
    fitGenreModel(train, validation, config, {
      ...silent,
      checkpointDir,
      checkpointEveryBatches: 0,
      signal: stop.signal,
      onBatch: (s) => s.epoch === 3 && s.batch === 1 && stop.abort(),
    }),
    TrainingInterrupted,
  );
  const saved = await loadCheckpoint(checkpointDir);
  assert.equal((saved?.state.task as GenreTaskState).bestEpoch, 1);
  assert.equal(
    saved?.tensors.best_weights?.length,
    saved?.models.model.getWeights().length,
    "the best weights are in it",
  );
  saved?.models.model.dispose();
  const result = await fitGenreModel(train, validation, config, { ...silent, checkpointDir, resume: true });
  assert.equal(result.bestEpoch, 1);
  assert.equal(result.history.length, 3);
  const again = await predictGenres(result.model, validation, { loss: lossFunction(config.loss) });
  assert.ok(Math.abs(again.loss - result.history[0].validationLoss) < 1e-5, "resumed: epoch 1's weights");
  result.model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the v4 recipe (AdamW, cosine warm-up, augmentation) learns, and resumes to the very same weights", async () => {
  const dir = `${await Deno.makeTempDir()}/checkpoint`;
  const train = colourGenres(64, 8);
  const validation = colourGenres(32, 9, "validation");
  // Dropout off: tfjs draws unseeded masks, and this compares two runs number for number.
  const config: ModelConfig = { ...modelDefaults(4), epochs: 3, batchSize: 16, dropout: 0, seed: 3 };
  const straight = await fitGenreModel(train, validation, config, silent);
  assert.ok(straight.history[2].loss < straight.history[0].loss, "training loss falls");
  assert.ok(straight.history[2].validationMeanAveragePrecision > 0.8, "validation mAP well above chance");

  const controller = new AbortController();
  await assert.rejects(
    fitGenreModel(train, validation, config, {
      ...silent,
      checkpointDir: dir,
      checkpointEveryBatches: 0,
      signal: controller.signal,
      onBatch: (s) => s.epoch === 2 && s.batch === 3 && controller.abort(),
    }),
    TrainingInterrupted,
  );
  const resumed = await fitGenreModel(train, validation, config, {
    ...silent,
    checkpointDir: dir,
    resume: true,
  });
  const a = straight.model.getWeights(), b = resumed.model.getWeights();
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [Array.from(a[i].dataSync()), Array.from(b[i].dataSync())];
    const worst = x.reduce((m, v, j) => Math.max(m, Math.abs(v - y[j])), 0);
    assert.ok(worst < 1e-5, `weight ${i} differs by ${worst}`);
  }
  straight.model.dispose();
  resumed.model.dispose();
  await Deno.remove(`${dir}/..`, { recursive: true });
});
