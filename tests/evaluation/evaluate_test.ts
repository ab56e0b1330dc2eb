import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_DATASET, DEFAULT_MODEL, imageSize } from "../../lib/config.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import { readMetadata, type SavedModelMetadata, saveGenreModel } from "../../lib/models/saved.ts";
import {
  bestEvaluation,
  evaluateSavedModel,
  evaluateSavedModels,
  type ModelEvaluation,
  savedValidationMap,
} from "../../lib/evaluation/evaluate.ts";
import { multiLabelMetrics } from "../../lib/evaluation/metrics.ts";
import { namedTitleLines } from "../../lib/evaluation/named_lines.ts";
import { fixtureModelMetadata, fixtureMovies, makeFixtureDataDir } from "../fixtures.ts";
import { damageFixtureModel, saveFixtureModel } from "../inference/model_fixture.ts";

await tf.setBackend("cpu");

Deno.test("evaluate runs a saved model on the test split, stores test metrics, prints prediction lines", async () => {
  const ratio = 10; // 18x27 posters: the smallest the CNN accepts, quick on the cpu backend
  const movies = fixtureMovies(60);
  movies[0] = { ...movies[0], title: "The Matrix", year: 1999, genres: ["Action", "Sci-Fi"] };
  const { dataDir } = await makeFixtureDataDir({ movies, ratio });
  const root = await Deno.makeTempDir();
  const { width, height } = imageSize(ratio);
  const dataset = { ...DEFAULT_DATASET, dataDir, ratio };
  // Trained "elsewhere": --data-dir points the evaluation at the fixture folder (same layout).
  const metadata: SavedModelMetadata = fixtureModelMetadata("untrained", {
    ...dataset,
    dataDir: "/nonexistent/posterlab-data",
  });
  const model = buildGenreCnn({ height, width, genres: 7, version: 1 });
  await saveGenreModel(model, metadata, root);
  model.dispose();

  const [result] = await evaluateSavedModels(undefined, {
    savedModelsDir: root,
    dataDir,
    progress: false,
    sampleSize: 3,
    validation: true,
  });
  assert.equal(result.name, "untrained");
  const test = result.test;
  assert.equal(test.dataDir, dataDir);
  assert.ok(test.model.count > 0 && test.model.count === test.baseline.count);
  assert.ok(test.model.meanAveragePrecision > 0 && test.model.meanAveragePrecision <= 1);
  assert.equal(test.baseline.meanRocAuc, 0.5, "constant predictions rank nothing");
  assert.ok(Number.isFinite(test.loss));
  assert.equal(result.split, "test");
  assert.equal(result.posters, test.model.count);
  // Another folder's figures are not the model's test record (what `compare` shows).
  assert.equal((await readMetadata(`${root}/untrained`)).test, undefined);
  // On its own folder they are; JSON has no NaN: a genre without test films stores its AP as null.
  await Deno.writeTextFile(
    `${root}/untrained/metadata.json`,
    JSON.stringify({ ...metadata, dataset }),
  );
  const [own] = await evaluateSavedModels("untrained", { savedModelsDir: root, progress: false });
  const stored = (await readMetadata(`${root}/untrained`)).test;
  assert.deepEqual(stored, JSON.parse(JSON.stringify(own.test)), "metrics are stored in metadata.json");
  assert.equal(own.test.model.meanAveragePrecision, test.model.meanAveragePrecision);

  const matrix = result.named.find((p) => p.title === "The Matrix");
  assert.match(matrix?.line ?? "", /^The Matrix \(1999\) {16}\['\w+(\[!\])?: \d+%', /);
  assert.equal(result.named.find((p) => p.title === "Pulp Fiction")?.missing, "not in MovieGenre.csv");
  const lines = namedTitleLines(result.named);
  assert.ok(lines.some((l) => l.startsWith("The Matrix (1999)")));
  assert.equal(lines.filter((l) => l.includes("Pearl Harbor")).length, 1, "missing titles: one summary line");
  assert.match(lines.at(-1)!, /^not in this data \(42 of 43 named titles\): Pearl Harbor, .* and 34 more$/);
  assert.equal(result.sample.length, 3);
  // The predictions behind the metrics come back, so a notebook shows them without predicting again.
  const { testPredictions, validation } = result;
  assert.equal(testPredictions.probabilities.length, test.model.count * 7);
  assert.deepEqual(
    multiLabelMetrics(testPredictions.probabilities, testPredictions.labels, testPredictions.genres, 0.5),
    test.model,
  );
  assert.equal(validation?.split, "validation");
  assert.equal(validation?.probabilities.length, validation!.movies.length * 7);
  assert.equal(
    result.metadata.test,
    undefined,
    "another folder's figures stay out of the returned metadata too",
  );
  assert.equal(own.metadata.test?.evaluatedAt, own.test.evaluatedAt);

  // A damaged folder beside it is left out of "every model" (reported), but fails when asked for by name.
  await Deno.mkdir(`${root}/damaged`);
  await Deno.writeTextFile(`${root}/damaged/metadata.json`, "{ not json");
  const damaged: string[] = [];
  const all = await evaluateSavedModels(undefined, {
    savedModelsDir: root,
    dataDir,
    progress: false,
    sampleSize: 0,
    onDamaged: (error) => damaged.push(error.message),
  });
  assert.deepEqual(all.map((r) => r.name), ["untrained"]);
  assert.equal(damaged.length, 1);
  assert.match(damaged[0], /damaged/);
  await assert.rejects(
    evaluateSavedModels("damaged", { savedModelsDir: root, dataDir, progress: false }),
    /damaged/,
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("bestEvaluation chooses on validation (the kept epoch's mAP), never on test", () => {
  const record = (epoch: number, validationMeanAveragePrecision: number) => ({
    epoch,
    loss: 1,
    validationLoss: 1,
    validationMeanAveragePrecision,
    validationOriginalAccuracy: 0,
    trainSeconds: 1,
    imagesPerSecond: 1,
  });
  const evaluation = (
    name: string,
    history: ReturnType<typeof record>[],
    bestEpoch: number | undefined,
    testMap: number,
  ) =>
    ({
      name,
      metadata: { name, history, ...(bestEpoch ? { bestEpoch } : {}) },
      test: { model: { meanAveragePrecision: testMap } },
    }) as unknown as ModelEvaluation;
  const a = evaluation("a", [record(1, 0.30), record(2, 0.50)], 2, 0.10);
  const b = evaluation("b", [record(1, 0.45), record(2, 0.20)], 1, 0.90);
  const c = evaluation("c", [record(1, 0.40), record(2, 0.42)], undefined, 0.99); // older: last epoch
  assert.equal(savedValidationMap(b.metadata), 0.45);
  assert.equal(savedValidationMap(c.metadata), 0.42);
  assert.equal(bestEvaluation([b, c, a]).name, "a");
  assert.throws(() => bestEvaluation([]), /No evaluations/);
});

Deno.test("evaluate --split: any split, or all, of a folder holding only MovieGenre.csv and posters/", async () => {
  const ratio = 10;
  const { dataDir, movies } = await makeFixtureDataDir({ movies: 70 }); // no images/ yet
  const root = await Deno.makeTempDir();
  const { width, height } = imageSize(ratio);
  const dataset = { ...DEFAULT_DATASET, dataDir: "/nonexistent/posterlab-data", ratio };
  const model = buildGenreCnn({ height, width, genres: 7, version: 4 });
  await saveGenreModel(
    model,
    fixtureModelMetadata("v4", dataset, { model: { ...DEFAULT_MODEL, version: 4 } }),
    root,
  );
  model.dispose();
  const options = { savedModelsDir: root, dataDir, progress: false, sampleSize: 2 };
  const counts: Record<string, number> = {};
  for (const split of ["test", "validation", "train", "all"] as const) {
    const result = await evaluateSavedModel("v4", { ...options, split });
    assert.equal(result.split, split);
    assert.equal(result.test.split, split);
    assert.equal(result.test.model.count, result.posters);
    counts[split] = result.posters;
  }
  // imdbIds 1001..1070: the multiples of 7 are test.
  assert.equal(counts.test, movies.filter((m) => m.imdbId % 7 === 0).length);
  assert.ok(counts.validation > 0 && counts.train > counts.validation);
  assert.equal(counts.all, counts.test + counts.validation + counts.train);
  assert.equal(counts.all, movies.length, "every fixture movie has a genre of the 7 and a poster");
  // The posters were resized into the folder on the way.
  const images = [...Deno.readDirSync(`${dataDir}/images/${ratio}`)].filter((e) => e.name.endsWith(".png"));
  assert.equal(images.length, movies.length);
  await assert.rejects(
    evaluateSavedModel("v4", { ...options, split: "holdout" as "test" }),
    /Unknown split "holdout"/,
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("evaluate refuses a damaged model (NaN weights, NaN outputs) with its folder and problem, and stores nothing", async () => {
  const ratio = 10;
  const { dataDir } = await makeFixtureDataDir({ movies: fixtureMovies(30), ratio });
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "diverged", { dataDir, ratio });
  await saveFixtureModel(root, "huge", { dataDir, ratio });
  await damageFixtureModel(`${root}/diverged`, "nan");
  await damageFixtureModel(`${root}/huge`, "huge");
  const options = { savedModelsDir: root, progress: false, sampleSize: 0 };
  await assert.rejects(
    evaluateSavedModels("diverged", options),
    new RegExp(`Saved model ${root}/diverged is unusable: .*weights\\.bin holds 1 NaN or infinite weight`),
  );
  // Finite weights whose outputs overflow: no mAP is computed, none stored.
  await assert.rejects(
    evaluateSavedModel("huge", options),
    new RegExp(
      `Saved model ${root}/huge is unusable: it gives \\d+ NaN or infinite outputs on the test split`,
    ),
  );
  assert.equal((await readMetadata(`${root}/huge`)).test, undefined);
  const damaged: string[] = [];
  await assert.rejects(
    evaluateSavedModels(undefined, { ...options, onDamaged: (error) => damaged.push(error.message) }),
    /No saved model in .* could be loaded/,
  );
  assert.equal(damaged.length, 2, "every model is left out, each reported");
  const cli = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cli/evaluate.ts", import.meta.url).pathname,
      "--backend",
      "cpu",
      "--models-dir",
      root,
      "--model",
      "diverged",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(cli.code, 1);
  assert.match(
    new TextDecoder().decode(cli.stderr),
    new RegExp(`error: Saved model ${root}/diverged is unusable: .*weights\\.bin holds 1 NaN`),
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("evaluate --test-time-mirror: judges as asked, stores only figures judged as the model answers", async () => {
  const ratio = 10;
  const { dataDir } = await makeFixtureDataDir({ movies: 40, ratio });
  const root = await Deno.makeTempDir();
  try {
    await saveFixtureModel(root, "m", { dataDir, ratio, testTimeMirror: true });
    const options = { savedModelsDir: root, progress: false, sampleSize: 1 };
    const oneView = await evaluateSavedModel("m", { ...options, testTimeMirror: false });
    assert.equal(oneView.mirrored, false);
    assert.equal((await readMetadata(`${root}/m`)).test, undefined, "not stored: the model answers mirrored");
    const own = await evaluateSavedModel("m", options);
    assert.equal(own.mirrored, true);
    const stored = (await readMetadata(`${root}/m`)).test;
    assert.ok(stored);
    assert.equal(stored.model.meanAveragePrecision, own.test.model.meanAveragePrecision);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
});
