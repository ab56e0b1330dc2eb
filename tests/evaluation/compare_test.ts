import assert from "node:assert/strict";
import { DEFAULT_DATASET, DEFAULT_MODEL, modelDefaults } from "../../lib/config.ts";
import { comparisonRow, comparisonRows } from "../../lib/evaluation/compare.ts";
import { readMetadata, type SavedModelMetadata } from "../../lib/models/saved.ts";
import { comparisonRowsTable } from "../../lib/plots/comparison_table.ts";
import * as tf from "@tensorflow/tfjs";
import { fixtureModelMetadata, fixtureMovies, makeFixtureDataDir } from "../fixtures.ts";
import { damageFixtureModel, saveFixtureModel } from "../inference/model_fixture.ts";

function metadata(name: string, version: 1 | 4, loss: "bce" | "cce", mAP?: number): SavedModelMetadata {
  const metrics = (m: number) => ({
    count: 1398,
    meanAveragePrecision: m,
    meanRocAuc: 0.7,
    threshold: 0.3,
    microF1: 0.5,
    macroF1: 0.4,
    hammingLoss: 0.2,
    originalAccuracy: 0.45,
    perGenre: [],
  });
  return fixtureModelMetadata(name, DEFAULT_DATASET, {
    savedAt: "2026-12-01T00:00:00Z",
    model: {
      ...(version === 4 ? modelDefaults(4) : DEFAULT_MODEL),
      loss: loss === "bce" ? "binary_crossentropy" : "categorical_crossentropy",
    },
    splitCounts: { train: 7179, validation: 1434 },
    trainGenreFrequencies: [0.3, 0.5, 0.2, 0.05, 0.15, 0.1, 0.1],
    threshold: 0.3,
    backend: "wasm",
    timings: { trainSeconds: 125, imagesPerSecond: 20, totalSeconds: 140 },
    ...(mAP === undefined ? {} : {
      test: {
        evaluatedAt: "2026-12-01T01:00:00Z",
        dataDir: "data",
        backend: "wasm",
        loss: 0.4,
        model: metrics(mAP),
        baseline: metrics(0.248),
        imagesPerSecond: 100,
      },
    }),
  });
}

Deno.test("comparisonRow: how a model was trained next to its stored test figures", () => {
  const row = comparisonRow(metadata("a", 4, "cce", 0.47));
  assert.equal(row.version, 4);
  assert.equal(row.loss, "cce");
  assert.equal(row.optimizer, "adamw");
  assert.equal(row.trainPosters, 7179);
  assert.equal(row.testMeanAveragePrecision, 0.47);
  assert.equal(row.baselineMeanAveragePrecision, 0.248);
  const unevaluated = comparisonRow(metadata("b", 1, "bce"));
  assert.equal(unevaluated.optimizer, "rmsprop");
  assert.equal(unevaluated.testMeanAveragePrecision, undefined);
  const text = comparisonRowsTable([row, unevaluated]).text();
  assert.match(text, /^model +v +loss +optimizer/);
  assert.match(text, /a +4 +cce +adamw +30 +7,179 +0 +2m05s +wasm +0\.470 +45\.0% +0\.400 +0\.248/);
});

Deno.test("comparisonRows: every saved model, sorted by version then loss; damaged ones reported", async () => {
  const root = await Deno.makeTempDir();
  for (const [name, v, loss] of [["z-v4", 4, "bce"], ["y-v1-cce", 1, "cce"], ["x-v1", 1, "bce"]] as const) {
    await Deno.mkdir(`${root}/${name}`);
    await Deno.writeTextFile(`${root}/${name}/metadata.json`, JSON.stringify(metadata(name, v, loss, 0.4)));
  }
  await Deno.mkdir(`${root}/broken`);
  await Deno.writeTextFile(`${root}/broken/metadata.json`, "{");
  const damaged: string[] = [];
  const rows = await comparisonRows(root, (name) => damaged.push(name));
  assert.deepEqual(rows.map((r) => r.name), ["x-v1", "y-v1-cce", "z-v4"]);
  assert.deepEqual(damaged, ["broken"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("compare: a model is named by its folder (a renamed one evaluates); a damaged one is listed as damaged", async () => {
  await tf.setBackend("cpu");
  const ratio = 10;
  const { dataDir } = await makeFixtureDataDir({ movies: fixtureMovies(30), ratio });
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "original", { dataDir, ratio });
  await Deno.rename(`${root}/original`, `${root}/renamed`);
  await saveFixtureModel(root, "diverged", { dataDir, ratio });
  await damageFixtureModel(`${root}/diverged`, "nan");
  const rows = await comparisonRows(root);
  assert.deepEqual(rows.map((r) => [r.name, r.problems?.length ?? 0]), [["diverged", 1], ["renamed", 0]]);
  assert.match(rows[0].problems![0], /^weights\.bin holds 1 NaN or infinite weight/);
  assert.match(comparisonRowsTable(rows).text(), /diverged \(damaged\)/);

  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cli/compare.ts", import.meta.url).pathname,
      "--evaluate",
      "--backend",
      "cpu",
      "--models-dir",
      root,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [stdout, stderr] = [output.stdout, output.stderr].map((b) => new TextDecoder().decode(b));
  assert.equal(output.code, 0, stderr);
  assert.match(stderr, /evaluating renamed/);
  assert.doesNotMatch(stderr, /evaluating diverged/, "a damaged model is not scored");
  assert.match(
    stdout,
    /\nrenamed +1 +bce .* \d\.\d{3} +[\d.]+% +\d\.\d{3} +\d\.\d{3}\n/,
    "test figures stored and shown",
  );
  assert.match(stdout, /diverged \(damaged\)/);
  assert.match(
    stdout,
    /1 damaged model\(s\)[^\n]*\n {2}diverged: weights\.bin holds 1 NaN or infinite weight/,
  );
  assert.doesNotMatch(stdout, /not evaluated yet/);
  assert.notEqual((await readMetadata(`${root}/renamed`)).test, undefined);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
});
