import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  buildDiscriminator,
  buildGenerator,
  CONDITION_SIZE,
  conditionVector,
  decadeOf,
  parseGenre,
  upsamplingSteps,
} from "../../lib/models/dcgan.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

const shape = (size: number, conditionSize = 0) => ({
  size,
  latentDim: 8,
  filters: 4,
  conditionSize,
  seed: 3,
});

Deno.test("generator makes size x size RGB in [-1, 1], discriminator one logit, for 16 and 32", () => {
  for (const size of [16, 32]) {
    const g = buildGenerator(shape(size));
    const d = buildDiscriminator(shape(size));
    const images = g.predict(tf.randomNormal([3, 8])) as tf.Tensor;
    assert.deepEqual(images.shape, [3, size, size, 3]);
    assert.ok(images.max().dataSync()[0] <= 1 && images.min().dataSync()[0] >= -1);
    assert.deepEqual((d.predict(images) as tf.Tensor).shape, [3, 1]);
    tf.dispose([images, g, d].flatMap((x) => (x instanceof tf.Tensor ? [x] : [])));
    g.dispose();
    d.dispose();
  }
});

Deno.test("generator layers follow DCGAN: transposed convs with batch norm and ReLU, tanh output", () => {
  const g = buildGenerator(shape(32));
  const classes = g.layers.map((l) => l.getClassName());
  assert.equal(classes.filter((c) => c === "Conv2DTranspose").length, 3); // 4 → 8 → 16 → 32
  assert.equal(classes.filter((c) => c === "BatchNormalization").length, 3); // projection + 2 hidden
  assert.equal(classes.at(-1), "Activation");
  const d = buildDiscriminator(shape(32));
  const dClasses = d.layers.map((l) => l.getClassName());
  assert.equal(dClasses.filter((c) => c === "Conv2D").length, 3); // 32 → 16 → 8 → 4
  assert.equal(dClasses.filter((c) => c === "LeakyReLU").length, 3);
  assert.equal(dClasses.filter((c) => c === "BatchNormalization").length, 2); // none on the first conv
  g.dispose();
  d.dispose();
});

Deno.test("conditional networks take the condition as a second input", () => {
  const g = buildGenerator(shape(16, CONDITION_SIZE));
  const d = buildDiscriminator(shape(16, CONDITION_SIZE));
  const condition = tf.tensor2d([
    ...conditionVector(["Sci-Fi"], 1980),
    ...conditionVector(["Drama", "War"], 2010),
  ], [2, CONDITION_SIZE]);
  const images = g.predict([tf.randomNormal([2, 8]), condition]) as tf.Tensor;
  assert.deepEqual(images.shape, [2, 16, 16, 3]);
  assert.deepEqual((d.predict([images, condition]) as tf.Tensor).shape, [2, 1]);
  assert.equal(g.inputs.length, 2);
  assert.equal(d.inputs.length, 2);
  g.dispose();
  d.dispose();
});

Deno.test("sizes must be powers of two of 8 or more", () => {
  assert.equal(upsamplingSteps(64), 4);
  assert.equal(upsamplingSteps(8), 1);
  assert.throws(() => upsamplingSteps(48), /power of two/);
  assert.throws(() => upsamplingSteps(4), /power of two/);
});

Deno.test("condition vectors: genre multi-hot over the 14, then decade one-hot", () => {
  const v = conditionVector(["Sci-Fi", "Action", "Fantasy"], 1987);
  assert.equal(v.length, CONDITION_SIZE);
  assert.equal(v.reduce((a, b) => a + b, 0), 3); // Fantasy is not one of the 14
  assert.equal(v[7], 1); // Sci-Fi
  assert.equal(v[2], 1); // Action
  assert.equal(v[14 + 1], 1); // 1980s
  assert.equal(decadeOf(2016), 2010);
  assert.throws(() => decadeOf(1955), /outside the decades/);
  assert.equal(parseGenre("sci-fi"), "Sci-Fi");
  assert.throws(() => parseGenre("Scifi"), /Unknown genre "Scifi": use one of/);
});

Deno.test("a generator saved and loaded back gives the same images", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const g = buildGenerator(shape(16, CONDITION_SIZE));
    const inputs = [
      tf.randomNormal([2, 8], 0, 1, "float32", 5),
      tf.tensor2d([...conditionVector(["Horror"], 1990), ...conditionVector(["Western"], 1970)], [
        2,
        CONDITION_SIZE,
      ]),
    ];
    const before = (g.predict(inputs) as tf.Tensor).dataSync();
    await saveModelFiles(g, dir);
    const loaded = await loadModelFiles(dir);
    const after = (loaded.predict(inputs) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(after), Array.from(before));
    assert.equal(loaded.name, "conditional_generator");
    g.dispose();
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
