/** Exporting a run's generator into a shipped folder, loading it back, and dcgan:sample falling back to it. */
import assert from "node:assert/strict";
import { finished, startCli } from "../fixtures.ts";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { DEFAULT_DCGAN_SAMPLE } from "../../lib/config.ts";
import { GAN_PARTS, loadChooser } from "../../lib/gan/checkpoint.ts";
import { GENERATOR_RECORD, type GeneratorRecord } from "../../lib/gan/generator_record.ts";
import { makePosters, posterBatches } from "../../lib/gan/make_posters.ts";
import {
  chooseGenerator,
  exportGenerator,
  findShippedGenerator,
  generatorProblems,
  loadShippedGenerator,
  shippedGeneratorsDir,
} from "../../lib/gan/shipped.ts";
import { loadModelFiles } from "../../lib/models/saved.ts";
import { ALL_GENRES } from "../../lib/config.ts";
import { DECADES } from "../../lib/models/dcgan.ts";
import { FIXTURE_SHAPE, makeFixtureRun } from "./generator_fixture.ts";

await tf.setBackend("cpu");

/** Runs `cli/<name>.ts` in `cwd` (so its runs/ folder lands in a temp dir). */
const run = (cwd: string, name: string, ...args: string[]) => finished(startCli(name, cwd, ...args));

const ASK = { genres: ["Sci-Fi"], decade: 1980, count: 4, seed: 3 };

Deno.test("export writes the weight average and a record; it loads back and draws the same posters", async () => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = await makeFixtureRun(root);
    const outDir = join(root, "models", "generators", "cdcgan32x48");
    const { record } = await exportGenerator({
      runDir,
      outDir,
      trainedBy: { command: "./run dcgan:train --size 32x48", commit: "abc1234" },
      commit: "def5678",
    });
    const stored = JSON.parse(await Deno.readTextFile(join(outDir, GENERATOR_RECORD))) as GeneratorRecord;
    assert.deepEqual(stored, record);
    assert.equal(record.weights, "average");
    assert.deepEqual([record.width, record.height, record.latentDim], [32, 48, 16]);
    assert.deepEqual(record.condition, { genres: [...ALL_GENRES], decades: [...DECADES] });
    assert.equal(record.run?.step, 40);
    assert.equal(record.run?.quality?.frechetDistance, 1.4);
    assert.deepEqual(record.trainedBy, { command: "./run dcgan:train --size 32x48", commit: "abc1234" });
    assert.equal(record.exported.commit, "def5678");
    assert.match(record.licence, /research/);
    const files = ["model.json", "weights.bin"].map((f) => Deno.statSync(join(outDir, f)).size);
    assert.equal(record.bytes, files[0] + files[1]);
    assert.deepEqual(await generatorProblems(outDir), []);
    // TensorFlow.js's own layers only, so the page's TensorFlow.js loads it; the run's has the fused one.
    assert.match(
      await Deno.readTextFile(join(runDir, "checkpoint", GAN_PARTS.average, "model.json")),
      /ResizeConv2D/,
    );
    assert.doesNotMatch(await Deno.readTextFile(join(outDir, "model.json")), /ResizeConv2D/);
    // The discriminator's classifier comes along, in its own folder, and chooses as the run's does.
    assert.equal(record.classifier?.folder, "classifier");
    assert.equal(record.classifier?.genres, ALL_GENRES.length);
    const classifierFiles = ["model.json", "weights.bin"].map((f) =>
      Deno.statSync(join(outDir, "classifier", f)).size
    );
    assert.equal(record.classifier?.bytes, classifierFiles[0] + classifierFiles[1]);

    // The export is the weight average, not the trained generator: same posters as the average.
    const shipped = await loadShippedGenerator(outDir);
    const average = await loadModelFiles(join(runDir, "checkpoint", GAN_PARTS.average));
    const trained = await loadModelFiles(join(runDir, "checkpoint", GAN_PARTS.generator));
    const [fromShipped, fromAverage, fromTrained] = await Promise.all(
      [shipped.model, average, trained].map((m) => makePosters(tf, m, shipped.record, ASK)),
    );
    assert.deepEqual(fromShipped, fromAverage);
    assert.notDeepEqual(fromShipped.pixels, fromTrained.pixels);
    assert.deepEqual([fromShipped.count, fromShipped.width, fromShipped.height], [4, 32, 48]);
    const best = { ...ASK, candidates: 4 };
    const runChooser = await loadChooser(join(runDir, "checkpoint"));
    assert.ok(shipped.chooser && runChooser);
    assert.deepEqual(
      await makePosters(tf, shipped.model, { ...shipped.record, chooser: shipped.chooser }, best),
      await makePosters(tf, average, { ...shipped.record, chooser: runChooser }, best),
    );
    for (const model of [shipped.model, average, trained]) model.dispose();

    // float16 storage: half the weights' bytes, read back by TF.js, and the posters' change measured.
    const halfDir = join(root, "half");
    const half = await exportGenerator({ runDir, outDir: halfDir, float16: true });
    assert.equal(record.storage.dtype, "float32");
    assert.equal(half.record.storage.dtype, "float16");
    const weightBytes = (dir: string) => Deno.statSync(join(dir, "weights.bin")).size;
    assert.equal(weightBytes(halfDir), weightBytes(outDir) / 2);
    assert.equal(weightBytes(join(halfDir, "classifier")), weightBytes(join(outDir, "classifier")) / 2);
    assert.deepEqual(await generatorProblems(halfDir), []);
    const difference = half.record.storage.pixelDifference!;
    assert.deepEqual([difference.posters, difference.genre, difference.decade, difference.seed], [
      16,
      "Sci-Fi",
      1980,
      1,
    ]);
    assert.ok(difference.max <= 8 && difference.mean < 1, JSON.stringify(difference));
    const halfModel = (await loadShippedGenerator(halfDir)).model;
    const fromHalf = await makePosters(tf, halfModel, half.record, ASK);
    halfModel.dispose();
    assert.ok(fromHalf.pixels.some((v, i) => v !== fromShipped.pixels[i]) || difference.max === 0);

    // An existing folder is replaced only when asked, and the whole of it.
    await assert.rejects(() => exportGenerator({ runDir, outDir }), /exists already: pass --force/);
    await Deno.writeTextFile(join(outDir, "stray.txt"), "x");
    await exportGenerator({ runDir, outDir, force: true });
    assert.ok(!(await Deno.stat(join(outDir, "stray.txt")).catch(() => undefined)));
    assert.deepEqual(await generatorProblems(outDir), []);
    // A run without a checkpoint or record can't be exported, with a message naming it.
    await assert.rejects(
      () => exportGenerator({ runDir: join(root, "runs", "dcgan", "none"), outDir: join(root, "x") }),
      /none has no metadata\.json: train the run first/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a damaged generator folder is named: left out of serve's default, an error when asked for", async () => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = await makeFixtureRun(root);
    const shippedDir = join(root, "models");
    const dir = join(shippedGeneratorsDir(shippedDir), "cdcgan32x48");
    await exportGenerator({ runDir, outDir: dir });
    assert.equal((await chooseGenerator(undefined, shippedDir)).dir, dir);
    assert.equal((await chooseGenerator(dir, join(root, "elsewhere"))).dir, dir, "a folder path");
    assert.equal(await findShippedGenerator(shippedDir, "other", true), undefined);
    assert.equal(await findShippedGenerator(shippedDir, DEFAULT_DCGAN_SAMPLE.run, false), dir);
    await Deno.truncate(join(dir, "weights.bin"), 100);
    const choice = await chooseGenerator(undefined, shippedDir);
    assert.equal(choice.dir, undefined);
    assert.match(choice.skipped ?? "", /weights\.bin holds 100 bytes/);
    await assert.rejects(
      () => chooseGenerator("cdcgan32x48", shippedDir),
      /unusable: .*weights\.bin holds 100/,
    );
    await assert.rejects(() => chooseGenerator("nope", shippedDir), /--generator nope is neither a folder/);
    assert.deepEqual(await chooseGenerator(undefined, join(root, "empty")), {});
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dcgan:export then dcgan:sample on a clone without runs: the shipped generator answers and says so", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await makeFixtureRun(cwd, "cdcgan32x48");
    const exported = await run(
      cwd,
      "dcgan_export",
      "--name",
      "cdcgan32x48",
      "--out",
      "shipped/generators/g32",
    );
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /cdcgan32x48: 32x48, 14 genres x 5 decades, 40 steps .*weight average/);
    assert.match(
      exported.stdout,
      /shipped\/generators\/g32: \d\.\d\d MB \(model\.json \+ weights\.bin, float32\)/,
    );
    const half = await run(cwd, "dcgan_export", "--name", "cdcgan32x48", "--out", "half", "--float16");
    assert.equal(half.code, 0, half.stderr);
    assert.match(
      half.stdout,
      /float16\) and generator\.json\n.*classifier: 0\.\d\d MB, the discriminator.s classifier .*\nfloat16 against float32: pixel values \(0-255\) differ by \d\.\d{3} on average, \d+ at most, over 16 posters \(seed 1\)/,
    );
    const again = await run(cwd, "dcgan_export", "--name", "cdcgan32x48", "--out", "shipped/generators/g32");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already: pass --force/);
    // The default --out is models/generators/<name>.
    assert.equal((await run(cwd, "dcgan_export", "--name", "cdcgan32x48")).code, 0);
    assert.ok(await Deno.stat(join(cwd, "models/generators/cdcgan32x48", GENERATOR_RECORD)));
    await Deno.remove(join(cwd, "runs"), { recursive: true }); // now a fresh clone with a shipped generator

    const args = ["--genre", "Sci-Fi", "--decade", "1980", "--count", "4", "--seed", "3", "--backend", "cpu"];
    const sampled = await run(cwd, "dcgan_sample", ...args, "--shipped-dir", "shipped", "--out", "grid.png");
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.match(
      sampled.stdout,
      /^generator: cdcgan32x48 \[shipped with posterlab\] \(shipped\/generators\/g32\)/,
    );
    const png = await Deno.readFile(join(cwd, "grid.png"));
    assert.equal(new DataView(png.buffer).getUint32(16), 2 * (32 + 2) + 2, "2x2 grid of 32-wide posters");
    // The best of 3 candidates per poster, chosen by the shipped classifier: another grid.
    const best = await run(
      cwd,
      "dcgan_sample",
      ...args,
      "--shipped-dir",
      "shipped",
      "--out",
      "best.png",
      "--candidates",
      "3",
    );
    assert.equal(best.code, 0, best.stderr);
    assert.notDeepEqual(await Deno.readFile(join(cwd, "best.png")), png);
    // A folder of posters from the shipped generator: the set it records (fixture) is not prepared here,
    // so the training mix is refused with what to do, and a genre and decade work.
    const folderArgs = [
      "--out-dir",
      "posters",
      "--count",
      "3",
      "--backend",
      "cpu",
      "--shipped-dir",
      "shipped",
    ];
    const noSet = await run(cwd, "dcgan_sample", ...folderArgs);
    assert.equal(noSet.code, 1);
    assert.match(
      noSet.stderr,
      /training set fixture is not in data\/gan\/.*or ask with --genre and --decade/,
    );
    const folder = await run(cwd, "dcgan_sample", ...folderArgs, "--genre", "Sci-Fi", "--decade", "1980");
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(
      folder.stdout,
      /^generator: cdcgan32x48 \[shipped with posterlab\] \(shipped\/generators\/g32\)\nposters: each the best of 8 draws .*truncation 0\.8\n3 posters \(32x48, Sci-Fi of the 1980s\)/,
    );
    const posters = [...Deno.readDirSync(join(cwd, "posters"))].map((e) => e.name).sort();
    assert.deepEqual(posters, ["poster_0001.png", "poster_0002.png", "poster_0003.png"]);
    // A name that is neither a run nor a shipped generator is an error naming both places.
    // A shipped generator exported without its classifier can't choose, and says what to do.
    await Deno.remove(join(cwd, "shipped/generators/g32/classifier"), { recursive: true });
    const record = JSON.parse(await Deno.readTextFile(join(cwd, "shipped/generators/g32", GENERATOR_RECORD)));
    delete record.classifier;
    await Deno.writeTextFile(join(cwd, "shipped/generators/g32", GENERATOR_RECORD), JSON.stringify(record));
    const noChooser = await run(
      cwd,
      "dcgan_sample",
      ...args,
      "--shipped-dir",
      "shipped",
      "--candidates",
      "3",
    );
    assert.equal(noChooser.code, 1);
    assert.match(noChooser.stderr, /comes without one: export its run again.*or draw 1 candidate/);
    const missing = await run(cwd, "dcgan_sample", ...args, "--shipped-dir", "shipped", "--name", "other");
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /runs\/dcgan\/other has no metadata\.json and shipped\/generators has no generator other/,
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

/** The weight average of a fixture run under `root`, and what makePosters needs to know of it. */
async function fixtureAverage(root: string) {
  const runDir = await makeFixtureRun(root);
  const model = await loadModelFiles(join(runDir, "checkpoint", GAN_PARTS.average));
  const inputs = {
    latentDim: FIXTURE_SHAPE.latentDim,
    condition: { genres: [...ALL_GENRES], decades: [...DECADES] },
  };
  return { model, inputs };
}

Deno.test("the fixture generator's batch norm runs on its moving statistics when posters are made", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { model, inputs } = await fixtureAverage(root);
    const made = await makePosters(tf, model, inputs, ASK);
    const noise = tf.randomNormal([4, 16], 0, 1, "float32", 3);
    const condition = tf.tensor2d(Array.from({ length: 4 }, () => [...conditionRow()]));
    const bytes = async (images: tf.Tensor4D) =>
      Uint8Array.from(await images.add(1).mul(127.5).round().clipByValue(0, 255).toInt().data());
    assert.deepEqual(made.pixels, await bytes(model.predict([noise, condition]) as tf.Tensor4D));
    // Training mode (each batch's statistics; it also moves the moving ones, so it comes last) differs.
    const training = model.apply([noise, condition], { training: true }) as tf.Tensor4D;
    assert.notDeepEqual(made.pixels, await bytes(training));
    model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("posters made a batch at a time, or with a condition each, are those of one call", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { model, inputs } = await fixtureAverage(root);
    const ask = { ...ASK, count: 5 };
    const whole = await makePosters(tf, model, inputs, ask);
    const batches = [];
    for await (const batch of posterBatches(tf, model, inputs, ask, 2)) batches.push(batch);
    assert.deepEqual(batches.map((b) => b.count), [2, 2, 1]);
    const joined = new Uint8Array(whole.pixels.length);
    let offset = 0;
    for (const b of batches) {
      joined.set(b.pixels, offset);
      offset += b.pixels.length;
    }
    // Batches of 2 against one of 5: float sums in another order may move a pixel value by 1.
    const off = joined.reduce((most, v, i) => Math.max(most, Math.abs(v - whole.pixels[i])), 0);
    assert.ok(off <= 1, `batched posters differ by ${off}`);
    const row = Float32Array.from(conditionRow());
    const each = await makePosters(tf, model, inputs, {
      count: 5,
      seed: ASK.seed,
      conditions: Array.from({ length: 5 }, () => row),
    });
    assert.deepEqual(each.pixels, whole.pixels);
    // Another condition for the last poster changes that poster only.
    const horror = Float32Array.from(row);
    horror.fill(0, 0, ALL_GENRES.length);
    horror[ALL_GENRES.indexOf("Horror")] = 1;
    const mixed = await makePosters(tf, model, inputs, {
      count: 5,
      seed: ASK.seed,
      conditions: [row, row, row, row, horror],
    });
    const bytes = whole.pixels.length / 5;
    assert.deepEqual(mixed.pixels.subarray(0, 4 * bytes), whole.pixels.subarray(0, 4 * bytes));
    assert.notDeepEqual(mixed.pixels.subarray(4 * bytes), whole.pixels.subarray(4 * bytes));
    await assert.rejects(
      () => makePosters(tf, model, inputs, { count: 5, seed: 1, conditions: [row] }),
      /need 5 vectors of 19 values, got 1/,
    );
    await assert.rejects(() => makePosters(tf, model, inputs, { count: 5, seed: 1 }), /genres and a decade/);
    model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

function conditionRow(): number[] {
  const row = new Array(ALL_GENRES.length + DECADES.length).fill(0);
  row[ALL_GENRES.indexOf("Sci-Fi")] = 1;
  row[ALL_GENRES.length + DECADES.indexOf(1980)] = 1;
  return row;
}
