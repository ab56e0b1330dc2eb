import assert from "node:assert/strict";
import {
  checkModelConfig,
  DEFAULT_MODEL,
  genreGroup,
  imageSize,
  type ModelConfig,
  modelConfigProblems,
  modelDefaults,
  optimizerOf,
  RECOMMENDED_MODEL_VERSION,
  scheduleOf,
} from "../lib/config.ts";

Deno.test("imageSize rounds each side of 182x268", () => {
  assert.deepEqual(imageSize(30), { width: 55, height: 80 });
  assert.deepEqual(imageSize(60), { width: 109, height: 161 });
  assert.deepEqual(imageSize(100), { width: 182, height: 268 });
  assert.throws(() => imageSize(0), /Invalid ratio/);
});

Deno.test("genre groups nest: 3 ⊂ 7 ⊂ 14", () => {
  assert.deepEqual(genreGroup(7).slice(0, 3), genreGroup(3));
  assert.deepEqual(genreGroup(14).slice(0, 7), genreGroup(7));
  assert.equal(new Set(genreGroup(14)).size, 14);
});

Deno.test("modelDefaults: the recommended version unless asked; v1 is the original's, without v4's settings", () => {
  assert.equal(modelDefaults().version, RECOMMENDED_MODEL_VERSION);
  assert.deepEqual(modelDefaults(1), DEFAULT_MODEL);
  assert.equal(optimizerOf(modelDefaults(1)), "rmsprop");
  assert.equal(scheduleOf(modelDefaults(1)), "constant");
  assert.equal(optimizerOf(modelDefaults(4)), "adamw");
  assert.equal(scheduleOf(modelDefaults(4)), "cosine");
});

Deno.test("modelConfigProblems: every version's defaults pass; each broken rule is named by its setting", () => {
  for (const version of [1, 2, 3, 4] as const) {
    assert.deepEqual(modelConfigProblems(modelDefaults(version)), []);
  }
  const settings = (config: ModelConfig) => modelConfigProblems(config).map((p) => p.setting);
  assert.deepEqual(settings({ ...DEFAULT_MODEL, version: 5 as 1 }), ["version"]);
  assert.deepEqual(settings({ ...DEFAULT_MODEL, epochs: 0, batchSize: 1.5 }), ["epochs", "batchSize"]);
  assert.deepEqual(settings({ ...modelDefaults(4), dropout: 1, weightDecay: -1 }), [
    "weightDecay",
    "dropout",
  ]);
  assert.deepEqual(settings({ ...DEFAULT_MODEL, earlyStoppingPatience: -1 }), ["earlyStoppingPatience"]);
  assert.deepEqual(settings({ ...DEFAULT_MODEL, headWeight: 0 }), ["headWeight"]);
  assert.deepEqual(settings({ ...DEFAULT_MODEL, optimizer: "sgd" as "adamw" }), ["optimizer"]);
  const [cosine] = modelConfigProblems({ ...DEFAULT_MODEL, schedule: "cosine" });
  assert.equal(cosine.setting, "schedule");
  assert.match(cosine.problem, /cosine needs the adamw optimizer/);
  assert.throws(() => checkModelConfig({ ...DEFAULT_MODEL, schedule: "cosine" }), /schedule cosine needs/);
  assert.equal(checkModelConfig(DEFAULT_MODEL), DEFAULT_MODEL);
});
