import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { predictPoster } from "../../lib/evaluation/predict.ts";
import { headOutputs } from "../../lib/models/feature_branch.ts";
import { disposeSavedModel, loadGenreModel, savedModelProblems } from "../../lib/models/saved.ts";
import { damageFixtureModel, saveFixtureModel } from "../inference/model_fixture.ts";

await tf.setBackend("cpu");

Deno.test("a model with a branch loads it, blends it into a poster's answer, and names a damaged head", async () => {
  const root = await Deno.makeTempDir();
  try {
    await saveFixtureModel(root, "m", { heads: true, branchRatio: 20 });
    const saved = await loadGenreModel("m", root);
    assert.ok(saved.branch, "the branch is loaded");
    assert.deepEqual(saved.branch.blend.imageSize, { width: 36, height: 54 });
    const { width, height } = saved.metadata.imageSize;
    const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 256);
    const large = Uint8Array.from({ length: 36 * 54 * 3 }, (_, i) => (i * 11) % 256);
    const blended = await predictPoster(saved, pixels, large);
    // By hand: the CNN's outputs, the branch's, and their mix at 0.5 (genres) and 0.25 (heads).
    const cnn = tf.tidy(() =>
      (saved.model.predict(
        tf.tensor4d(pixels, [1, height, width, 3], "int32").toFloat().div(255),
      ) as tf.Tensor[])
        .map((t) => t.dataSync())
    );
    const features = tf.tidy(() =>
      (saved.branch!.extractor.predict(
        tf.tensor4d(large, [1, 54, 36, 3], "int32").toFloat().div(255),
      ) as tf.Tensor)
        .dataSync() as Float32Array
    );
    const branch = await headOutputs(saved.branch.head, features);
    for (let j = 0; j < 7; j++) {
      assert.ok(
        Math.abs(blended.probabilities[j] - (0.5 * cnn[0][j] + 0.5 * branch.probabilities[j])) < 1e-6,
      );
    }
    assert.ok(Math.abs(blended.heads[0][0] - (0.75 * cnn[1][0] + 0.25 * branch.heads[0][0])) < 1e-6);
    await assert.rejects(predictPoster(saved, pixels), /needs the poster at its branch's size too/);
    disposeSavedModel(saved);

    const cnnOnly = await loadGenreModel("m", root, undefined, { branch: false });
    assert.equal(cnnOnly.branch, undefined);
    disposeSavedModel(cnnOnly);

    assert.deepEqual(await savedModelProblems(join(root, "m")), []);
    await damageFixtureModel(join(root, "m", "feature_head"), "nan", 3);
    const problems = await savedModelProblems(join(root, "m"));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^feature_head\/weights\.bin holds 1 NaN or infinite weight/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a model with testTimeMirror answers a poster with the mean of its and its mirror image's blend", async () => {
  const root = await Deno.makeTempDir();
  try {
    await saveFixtureModel(root, "m", { heads: true, branchRatio: 20, testTimeMirror: true });
    const saved = await loadGenreModel("m", root);
    const { width, height } = saved.metadata.imageSize;
    const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 256);
    const large = Uint8Array.from({ length: 36 * 54 * 3 }, (_, i) => (i * 11) % 256);
    const mirrored = await predictPoster(saved, pixels, large);
    const plainModel = {
      ...saved,
      metadata: { ...saved.metadata, model: { ...saved.metadata.model, testTimeMirror: false } },
    };
    const plain = await predictPoster(plainModel, pixels, large);
    // By hand: each view's blend, then their mean (the blend is linear, so the order does not matter).
    const flip = (rgb: Uint8Array, w: number) =>
      Uint8Array.from(rgb, (_, i) => {
        const x = Math.floor(i / 3) % w, y = Math.floor(i / 3 / w), c = i % 3;
        return rgb[(y * w + (w - 1 - x)) * 3 + c];
      });
    const other = await predictPoster(plainModel, flip(pixels, width), flip(large, 36));
    for (let j = 0; j < 7; j++) {
      const mean = (plain.probabilities[j] + other.probabilities[j]) / 2;
      assert.ok(Math.abs(mirrored.probabilities[j] - mean) < 1e-6, `genre ${j}`);
    }
    assert.ok(Math.abs(mirrored.heads[0][0] - (plain.heads[0][0] + other.heads[0][0]) / 2) < 1e-6);
    assert.ok(
      plain.probabilities.some((p, j) => Math.abs(p - other.probabilities[j]) > 1e-4),
      "the views differ",
    );
    disposeSavedModel(saved);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
