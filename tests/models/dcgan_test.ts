import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  buildDiscriminator,
  buildGenerator,
  CONDITION_SIZE,
  conditionVector,
  decadeOf,
  parseDcganSize,
  parseGenre,
  reconstructionOutputs,
  upsamplingSteps,
  verdictModel,
} from "../../lib/models/dcgan.ts";
import type { DcganShape } from "../../lib/config.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

const shape = (width: number, height: number, extra: Partial<DcganShape> = {}): DcganShape => ({
  width,
  height,
  latentDim: 8,
  filters: 4,
  conditionSize: 0,
  seed: 3,
  // Most tests here look at the one real-vs-fake logit; the AC-GAN head has its own test below.
  auxiliaryClassifier: false,
  ...extra,
});

Deno.test("generator makes width x height RGB in [-1, 1], discriminator one logit: posters and squares", () => {
  for (const [width, height] of [[16, 24], [32, 48], [16, 16]]) {
    for (const upsampling of ["resize", "transposed"] as const) {
      const g = buildGenerator(shape(width, height, { upsampling }));
      const d = buildDiscriminator(shape(width, height));
      const images = g.predict(tf.randomNormal([3, 8])) as tf.Tensor;
      assert.deepEqual(images.shape, [3, height, width, 3]);
      assert.ok(images.max().dataSync()[0] <= 1 && images.min().dataSync()[0] >= -1);
      assert.deepEqual((d.predict(images) as tf.Tensor).shape, [3, 1]);
      images.dispose();
      g.dispose();
      d.dispose();
    }
  }
});

Deno.test("generator layers: resize-then-convolve by default, the paper's transposed convs on request", () => {
  const resize = buildGenerator(shape(32, 48)).layers.map((l) => l.getClassName());
  assert.equal(resize.filter((c) => c === "ResizeConv2D").length, 3); // 4x6 → 8x12 → 16x24 → 32x48
  assert.equal(resize.filter((c) => c === "UpSampling2D" || c === "Conv2DTranspose").length, 0);
  const portable = buildGenerator(shape(32, 48), undefined, { portable: true }).layers.map((l) =>
    l.getClassName()
  );
  assert.equal(portable.filter((c) => c === "UpSampling2D").length, 3);
  assert.equal(portable.filter((c) => c === "Conv2D").length, 3);
  assert.equal(portable.filter((c) => c === "ResizeConv2D").length, 0);
  const paper = buildGenerator(shape(32, 48, { upsampling: "transposed" })).layers.map((l) =>
    l.getClassName()
  );
  assert.equal(paper.filter((c) => c === "Conv2DTranspose").length, 3);
  assert.equal(paper.filter((c) => c === "BatchNormalization").length, 3); // projection + 2 hidden
  assert.equal(paper.at(-1), "Activation");
  const d = buildDiscriminator(shape(32, 48)).layers.map((l) => l.getClassName());
  assert.equal(d.filter((c) => c === "Conv2D").length, 3); // 32x48 → 16x24 → 8x12 → 4x6
  assert.equal(d.filter((c) => c === "LeakyReLU").length, 3);
  assert.equal(d.filter((c) => c === "BatchNormalization").length, 2); // none on the first conv
  const sn = buildDiscriminator(shape(32, 48, { spectralNorm: true })).layers.map((l) => l.getClassName());
  assert.equal(sn.filter((c) => c === "SpectralConv2D").length, 3);
  assert.equal(sn.filter((c) => c === "SpectralDense").length, 1);
  assert.equal(sn.filter((c) => c === "BatchNormalization").length, 0); // spectral norm replaces it
});

Deno.test("conditional networks take the condition as a second input; projection or input channel", () => {
  const condition = tf.tensor2d([
    ...conditionVector(["Sci-Fi"], 1980),
    ...conditionVector(["Drama", "War"], 2010),
  ], [2, CONDITION_SIZE]);
  const g = buildGenerator(shape(16, 24, { conditionSize: CONDITION_SIZE }));
  const images = g.predict([tf.randomNormal([2, 8]), condition]) as tf.Tensor;
  assert.deepEqual(images.shape, [2, 24, 16, 3]);
  assert.equal(g.inputs.length, 2);
  for (const conditioning of ["projection", "input"] as const) {
    const d = buildDiscriminator(shape(16, 24, { conditionSize: CONDITION_SIZE, conditioning }));
    assert.deepEqual((d.predict([images, condition]) as tf.Tensor).shape, [2, 1]);
    assert.equal(d.inputs.length, 2);
    const names = d.layers.map((l) => l.name);
    assert.equal(names.includes("projection"), conditioning === "projection");
    assert.equal(names.includes("condition_plane"), conditioning === "input");
    d.dispose();
  }
  // By default a conditional discriminator also names the condition (AC-GAN); an unconditional one can't.
  const { auxiliaryClassifier: _, ...unset } = shape(16, 24, { conditionSize: CONDITION_SIZE });
  const acgan = buildDiscriminator(unset);
  const [logit, classes] = acgan.predict([images, condition]) as tf.Tensor[];
  assert.deepEqual([logit.shape, classes.shape], [[2, 1], [2, CONDITION_SIZE]]);
  const plain = buildDiscriminator(shape(16, 24, { auxiliaryClassifier: true }));
  assert.deepEqual((plain.predict(images) as tf.Tensor).shape, [2, 1]);
  tf.dispose([logit, classes]);
  acgan.dispose();
  plain.dispose();
  g.dispose();
});

Deno.test("the projection discriminator's logit changes with the condition alone", () => {
  const d = buildDiscriminator(shape(16, 24, { conditionSize: CONDITION_SIZE, seed: 9 }));
  const image = tf.randomUniform([1, 24, 16, 3], -1, 1, "float32", 2);
  const logit = (genre: string) =>
    (d.predict([image, tf.tensor2d([...conditionVector([genre], 1990)], [1, CONDITION_SIZE])]) as tf.Tensor)
      .dataSync()[0];
  assert.notEqual(logit("Horror"), logit("Romance"));
  d.dispose();
});

Deno.test("a modulated generator scales and shifts every batch norm by the condition; input feeds it once", () => {
  const condition = tf.tensor2d([...conditionVector(["Sci-Fi"], 1980)], [1, CONDITION_SIZE]);
  const noise = tf.randomNormal([1, 8], 0, 1, "float32", 5);
  const build = (generatorConditioning: "modulated" | "input") =>
    buildGenerator(shape(16, 24, { conditionSize: CONDITION_SIZE, generatorConditioning }));
  const modulated = build("modulated");
  const input = build("input");
  const modulatedLayers = modulated.layers.filter((l) => l.name.endsWith("_modulated")).map((l) => l.name);
  // One per batch norm: after the projection and after each upsampling block but the last (RGB).
  assert.deepEqual(modulatedLayers, ["project_bn_modulated", "up8_bn_modulated"]);
  assert.equal(input.layers.filter((l) => l.name.endsWith("_modulated")).length, 0);
  // Zero-initialised, the modulation starts as plain batch norm: both give the same poster.
  const first = modulated.predict([noise, condition]) as tf.Tensor;
  const plain = input.predict([noise, condition]) as tf.Tensor;
  assert.ok(tf.max(tf.abs(first.sub(plain))).dataSync()[0] < 1e-6);
  // With a learned shift per condition and channel, the same noise under another condition changes
  // more than through the input alone.
  const beta = modulated.getLayer("project_bn_beta");
  const [kernel, bias] = beta.getWeights();
  beta.setWeights([tf.randomNormal(kernel.shape, 0, 1, "float32", 6), bias]);
  const other = tf.tensor2d([...conditionVector(["Romance"], 2000)], [1, CONDITION_SIZE]);
  const change = (g: tf.LayersModel) =>
    tf.mean(tf.abs((g.predict([noise, condition]) as tf.Tensor).sub(g.predict([noise, other]) as tf.Tensor)))
      .dataSync()[0];
  assert.ok(change(modulated) > 2 * change(input), `${change(modulated)} vs ${change(input)}`);
  modulated.dispose();
  input.dispose();
});

Deno.test("skip-layer excitation (the default) gates the 16- and 32-wide maps from the maps 4 times smaller", () => {
  const noise = tf.randomNormal([2, 8], 0, 1, "float32", 5);
  const plain = buildGenerator(shape(64, 96, { skipExcitation: false }));
  const excited = buildGenerator(shape(64, 96, { skipExcitation: true }));
  assert.deepEqual(
    excited.layers.filter((l) => l.name.endsWith("_excited")).map((l) => l.name),
    ["sle16_excited", "sle32_excited"],
  );
  // The 32-wide gate reads the 8-wide map (16 channels at 4 filters) pooled to 4x6, for the 32-wide
  // map's 4 channels.
  assert.deepEqual(excited.getLayer("sle32_read").getWeights()[0].shape, [4 * 6 * 16, 4]);
  assert.equal(plain.layers.filter((l) => l.name.startsWith("sle")).length, 0);
  // The layers both have start equal, so the gates alone make the posters differ.
  for (const layer of plain.layers) {
    const other = excited.getLayer(layer.name);
    for (const [k, w] of layer.getWeights().entries()) {
      assert.equal(tf.max(tf.abs(w.sub(other.getWeights()[k]))).dataSync()[0], 0, layer.name);
    }
  }
  const gate = tf.model({
    inputs: excited.inputs,
    outputs: excited.getLayer("sle16_gate").output as tf.SymbolicTensor,
  });
  const values = (gate.predict(noise) as tf.Tensor).dataSync();
  assert.ok(values.every((v) => v > 0 && v < 1));
  const a = plain.predict(noise) as tf.Tensor, b = excited.predict(noise) as tf.Tensor;
  assert.deepEqual(b.shape, [2, 96, 64, 3]);
  // Freshly initialised, the posters are faint (weights of N(0, 0.02)): compare against their size.
  const size = tf.max(tf.abs(a)).dataSync()[0];
  assert.ok(tf.max(tf.abs(a.sub(b))).dataSync()[0] > 0.1 * size, `${size}`);
  plain.dispose();
  excited.dispose();
});

Deno.test("sizes: 4 x a power of two wide, a multiple of width/4 high; WIDTHxHEIGHT flags", () => {
  assert.deepEqual(upsamplingSteps(64, 96), { steps: 4, baseWidth: 4, baseHeight: 6 });
  assert.deepEqual(upsamplingSteps(128, 192), { steps: 5, baseWidth: 4, baseHeight: 6 });
  assert.equal(upsamplingSteps(8).steps, 1);
  assert.throws(() => upsamplingSteps(48, 72), /48x72 is not supported/);
  assert.throws(() => upsamplingSteps(4), /not supported/);
  assert.throws(() => upsamplingSteps(64, 100), /64x100 is not supported/);
  assert.deepEqual(parseDcganSize("64x96"), { width: 64, height: 96 });
  assert.deepEqual(parseDcganSize("32"), { width: 32, height: 32 });
  assert.throws(() => parseDcganSize("big"), /"big" is not a size: use WIDTHxHEIGHT such as 32x48, 64x96/);
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

Deno.test("generator and spectrally normalised discriminator saved and loaded back give the same outputs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = shape(16, 24, { conditionSize: CONDITION_SIZE, spectralNorm: true });
    const g = buildGenerator(s);
    const d = buildDiscriminator(s);
    const condition = tf.tensor2d([
      ...conditionVector(["Horror"], 1990),
      ...conditionVector(["Western"], 1970),
    ], [
      2,
      CONDITION_SIZE,
    ]);
    const noise = tf.randomNormal([2, 8], 0, 1, "float32", 5);
    const images = g.predict([noise, condition]) as tf.Tensor;
    // A training call moves the spectral norm's power-iteration vector; it must be saved too.
    d.apply([images, condition], { training: true });
    const logits = (d.predict([images, condition]) as tf.Tensor).dataSync();
    await saveModelFiles(g, `${dir}/g`);
    await saveModelFiles(d, `${dir}/d`);
    const g2 = await loadModelFiles(`${dir}/g`);
    const d2 = await loadModelFiles(`${dir}/d`);
    assert.deepEqual(
      Array.from((g2.predict([noise, condition]) as tf.Tensor).dataSync()),
      Array.from(images.dataSync()),
    );
    assert.deepEqual(
      Array.from((d2.predict([images, condition]) as tf.Tensor).dataSync()),
      Array.from(logits),
    );
    assert.equal(g2.name, "conditional_generator");
    for (const m of [g, d, g2, d2]) m.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reconstructing discriminator decodes its 8-wide map at half size and its 16-wide map at full size", async () => {
  const s = shape(64, 96, { conditionSize: CONDITION_SIZE, auxiliaryClassifier: true, reconstruct: true });
  const d = buildDiscriminator(s);
  const plain = buildDiscriminator({ ...s, reconstruct: false });
  assert.equal(reconstructionOutputs(d), 2);
  assert.equal(reconstructionOutputs(plain), 0);
  const images = tf.randomUniform([2, 96, 64, 3], -1, 1, "float32", 4);
  const condition = tf.tensor2d([...conditionVector(["Drama"], 1990), ...conditionVector(["Horror"], 1980)], [
    2,
    CONDITION_SIZE,
  ]);
  const outputs = d.predict([images, condition]) as tf.Tensor[];
  assert.deepEqual(outputs.map((o) => o.shape), [[2, 1], [2, CONDITION_SIZE], [2, 48, 32, 3], [
    2,
    96,
    64,
    3,
  ]]);
  // The verdict part is the same layers without the decoders: same logits, same weights.
  const verdict = verdictModel(d);
  assert.equal(verdictModel(d), verdict, "built once");
  const judged = verdict.predict([images, condition]) as tf.Tensor[];
  assert.equal(judged.length, 2);
  assert.deepEqual(Array.from(judged[0].dataSync()), Array.from(outputs[0].dataSync()));
  assert.equal(verdict.trainableWeights.length, plain.trainableWeights.length);
  assert.ok(d.trainableWeights.length > plain.trainableWeights.length);
  // Without decoders the layers start as the plain discriminator's: the decoders draw their own seeds.
  for (const layer of plain.layers) {
    for (const [k, w] of layer.getWeights().entries()) {
      assert.equal(
        tf.max(tf.abs(w.sub(d.getLayer(layer.name).getWeights()[k]))).dataSync()[0],
        0,
        layer.name,
      );
    }
  }
  // Saved and loaded back, it still decodes (the checkpoint keeps the decoders).
  const dir = await Deno.makeTempDir();
  try {
    await saveModelFiles(d, dir);
    const loaded = await loadModelFiles(dir);
    assert.equal(reconstructionOutputs(loaded), 2);
    const again = loaded.predict([images, condition]) as tf.Tensor[];
    assert.deepEqual(Array.from(again[3].dataSync()), Array.from(outputs[3].dataSync()));
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => buildDiscriminator(shape(16, 24, { reconstruct: true })), /at least 32 wide/);
  d.dispose();
  plain.dispose();
});

Deno.test("a full-size block puts a convolution with batch norm at the poster's size before the RGB one", () => {
  const noise = tf.randomNormal([2, 8], 0, 1, "float32", 5);
  const plain = buildGenerator(shape(32, 48));
  const full = buildGenerator(shape(32, 48, { fullSizeFilters: 6 }));
  assert.deepEqual(full.getLayer("up32").getWeights()[0].shape, [3, 3, 4, 6]);
  assert.deepEqual(full.getLayer("to_rgb").getWeights()[0].shape, [3, 3, 6, 3]);
  assert.ok(full.layers.some((l) => l.name === "up32_bn") && !plain.layers.some((l) => l.name === "up32_bn"));
  // The layers before it start as without it: the block and its RGB convolution draw their own seeds.
  for (const layer of plain.layers.filter((l) => !l.name.startsWith("up32"))) {
    for (const [k, w] of layer.getWeights().entries()) {
      assert.equal(
        tf.max(tf.abs(w.sub(full.getLayer(layer.name).getWeights()[k]))).dataSync()[0],
        0,
        layer.name,
      );
    }
  }
  const images = full.predict(noise) as tf.Tensor;
  assert.deepEqual(images.shape, [2, 48, 32, 3]);
  assert.ok(images.max().dataSync()[0] <= 1 && images.min().dataSync()[0] >= -1);
  for (const m of [plain, full]) m.dispose();
});

Deno.test("a generator of its own width: its layers widen, the discriminator's stay", () => {
  const narrow = buildGenerator(shape(32, 48));
  const wide = buildGenerator(shape(32, 48, { generatorFilters: 8 }));
  // 4 filters widest-resolution: 16 at the 4x6 map, 8 at 8x12, 4 at 16x24, RGB at 32x48; twice with 8.
  const channels = (model: tf.LayersModel) =>
    ["up8", "up16", "up32"].map((name) => model.getLayer(name).getWeights()[0].shape.at(-1));
  assert.deepEqual(channels(narrow), [8, 4, 3]);
  assert.deepEqual(channels(wide), [16, 8, 3]);
  assert.deepEqual(
    buildDiscriminator(shape(32, 48, { generatorFilters: 8 })).getWeights().map((w) => w.shape),
    buildDiscriminator(shape(32, 48)).getWeights().map((w) => w.shape),
  );
  const images = wide.predict(tf.randomNormal([2, 8], 0, 1, "float32", 5)) as tf.Tensor;
  assert.deepEqual(images.shape, [2, 48, 32, 3]);
  assert.throws(
    () => buildGenerator(shape(32, 48, { generatorFilters: 8, style: true })),
    /no width of its own/,
  );
  for (const m of [narrow, wide]) m.dispose();
});
