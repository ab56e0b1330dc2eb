import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { MODEL_CARD_FILE, modelCardMarkdown, writeModelCard } from "../../lib/report/model_card.ts";
import { evaluationLines } from "../../lib/plots/evaluation_tables.ts";
import { makeFixtureDataDir } from "../fixtures.ts";
import { saveFixtureModel } from "../inference/model_fixture.ts";

await tf.setBackend("cpu");

Deno.test("a model card holds the test figures per genre beside the baseline, the heads, calibration and limits", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dataDir } = await makeFixtureDataDir({ movies: 60, ratio: 10, dir: join(root, "data") });
    await saveFixtureModel(join(root, "models"), "m", { dataDir, heads: true });
    const { path, evaluation } = await writeModelCard("m", {
      modelsDir: join(root, "models"),
      trainedBy: { command: "./run main --quick", commit: "abc1234" },
    });
    assert.equal(path, join(root, "models", "m", MODEL_CARD_FILE));
    const card = await Deno.readTextFile(path);
    for (const heading of ["## Data", "## Recipe", "## Test figures", "## Calibration", "## Known limits"]) {
      assert.ok(card.includes(heading), `${heading} missing:\n${card}`);
    }
    assert.match(card, /`\.\/run main --quick` at commit abc1234/);
    assert.match(card, new RegExp(`test: ${evaluation.posters}\\.`));
    const map = evaluation.test.model.meanAveragePrecision.toFixed(3);
    assert.match(card, new RegExp(`\\| mean average precision \\| ${map} \\|`));
    // One row per genre, and the year and rating heads beside their baseline.
    assert.equal(
      card.split("\n").filter((l) =>
        /^\| (Comedy|Drama|Action|Animation|Romance|Adventure|Horror) \|/.test(l)
      )
        .length,
      7,
    );
    assert.match(card, /^\| year \| \d+ \| [\d.]+ \| [\d.]+ \| 20\d\d\.\d \|$/m);
    assert.match(card, /Expected calibration error: 0\.\d{3}/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a refit branch is named where validation figures appear: the card's recipe and evaluate's note", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dataDir } = await makeFixtureDataDir({ movies: 40, ratio: 10, dir: join(root, "data") });
    const metadata = await saveFixtureModel(join(root, "models"), "m", { dataDir, branchRatio: 20 });
    assert.equal(metadata.blend?.config.refit, true, "the fixture's branch has the default recipe's refit");
    const { path, evaluation } = await writeModelCard("m", {
      modelsDir: join(root, "models"),
      trainedBy: { command: "./run main", commit: "abc1234" },
    });
    const refitLine =
      /Then the head trained again, with the same settings, on the \d+ training and \d+ validation posters/;
    assert.match(await Deno.readTextFile(path), refitLine);
    const input = {
      test: evaluation.test,
      testPosters: evaluation.posters,
      calibration: { expectedError: 0, bins: [] },
      topGenre: [{ genre: "Drama", top: 0.5, truth: 0.4 }],
      trainedBy: { command: "./run main", commit: "abc1234" },
    };
    const once = {
      ...metadata,
      blend: { ...metadata.blend!, config: { ...metadata.blend!.config, refit: false } },
    };
    assert.doesNotMatch(modelCardMarkdown({ ...input, metadata: once } as never), refitLine);

    const note = /^note: the branch's head also trained on the validation posters \(its refit\)/m;
    const lines = (split: string, m = evaluation.metadata) =>
      evaluationLines({ ...evaluation, split, metadata: m } as never).join("\n");
    assert.doesNotMatch(lines("test"), note);
    assert.match(lines("validation"), note);
    assert.match(lines("all"), note);
    assert.doesNotMatch(lines("validation", once), note);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
