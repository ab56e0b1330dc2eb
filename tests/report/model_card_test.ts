import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { MODEL_CARD_FILE, writeModelCard } from "../../lib/report/model_card.ts";
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
