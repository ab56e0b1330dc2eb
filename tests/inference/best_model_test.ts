import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { chooseModel, describeChoice, skippedLines } from "../../lib/inference/best_model.ts";
import { savedValidationMap } from "../../lib/evaluation/evaluate.ts";
import { damageFixtureModel, saveFixtureModel } from "./model_fixture.ts";

await tf.setBackend("cpu");

Deno.test("the default model is the one with the best validation mAP of its saved weights", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "a_weak", { validationMaps: [0.2, 0.25] });
  await saveFixtureModel(root, "b_strong", { validationMaps: [0.3, 0.41] });
  await saveFixtureModel(root, "c_middle", { validationMaps: [0.5, 0.33] }); // its last epoch is what it saved
  await Deno.mkdir(join(root, "d_damaged"));
  await Deno.writeTextFile(join(root, "d_damaged", "metadata.json"), "{not json");
  const choice = await chooseModel(undefined, root);
  assert.equal(choice.name, "b_strong");
  assert.equal(choice.compared, 3);
  assert.match(describeChoice(choice), /^b_strong \(best validation mAP 0\.410 of 3 saved models/);
  assert.equal((await chooseModel("a_weak", root)).validationMap, 0.25);
  await assert.rejects(
    chooseModel(undefined, await Deno.makeTempDir()),
    /No saved model in .*deno task train/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a model that stopped early is ranked by the epoch whose weights it kept", async () => {
  const root = await Deno.makeTempDir();
  const metadata = await saveFixtureModel(root, "m", { validationMaps: [0.4, 0.3] });
  metadata.history[1].validationLoss = 0.9; // epoch 1 had the best loss
  assert.equal(savedValidationMap({ ...metadata, stoppedEarly: true }), 0.4);
  assert.equal(savedValidationMap({ ...metadata, stoppedEarly: false }), 0.3);
  await Deno.remove(root, { recursive: true });
});

Deno.test("the default model skips damaged ones (NaN weights, a cut weights.bin) and says which", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "a_healthy", { validationMaps: [0.3] });
  await saveFixtureModel(root, "b_diverged", { validationMaps: [0.9] });
  await saveFixtureModel(root, "c_cut", { validationMaps: [0.8] });
  await damageFixtureModel(join(root, "b_diverged"), "nan");
  await damageFixtureModel(join(root, "c_cut"), "truncate");
  const choice = await chooseModel(undefined, root);
  assert.equal(choice.name, "a_healthy");
  assert.equal(choice.compared, 1);
  assert.deepEqual(choice.skipped.map((s) => s.name), ["b_diverged", "c_cut"]);
  const lines = skippedLines(choice);
  assert.match(lines[0], /^skipped damaged model b_diverged: weights\.bin holds 1 NaN or infinite weight/);
  assert.match(
    lines[1],
    /^skipped damaged model c_cut: weights\.bin holds \d+ bytes where model\.json needs/,
  );
  await Deno.remove(join(root, "a_healthy"), { recursive: true });
  await assert.rejects(
    chooseModel(undefined, root),
    /No usable saved model in .*b_diverged: weights\.bin holds 1 NaN/,
  );
  await Deno.remove(root, { recursive: true });
});
