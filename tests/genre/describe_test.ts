import assert from "node:assert/strict";
import { modelDefaults } from "../../lib/config.ts";
import { describeModelConfig } from "../../lib/genre/describe.ts";

Deno.test("describeModelConfig names the optimizer, the branch and its refit", () => {
  assert.equal(describeModelConfig(modelDefaults(1)), "v1, binary_crossentropy, RMSprop 0.0001, batch 32");
  const v4 = modelDefaults(4);
  assert.match(
    describeModelConfig(v4),
    /, \+ MobileNetV2 \+ InceptionV3 branch at ratio 100, its head refit on train\+validation, answers averaged/,
  );
  const once = describeModelConfig({ ...v4, featureBranch: { ...v4.featureBranch!, refit: false } });
  assert.match(once, /branch at ratio 100, answers averaged/);
});
