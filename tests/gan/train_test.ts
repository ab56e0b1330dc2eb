import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { join } from "node:path";
import { loadGenerator } from "../../lib/gan/checkpoint.ts";
import type { TrainingSet } from "../../lib/gan/prepare.ts";
import { readRunMetadata, runPaths } from "../../lib/gan/run.ts";
import { remeasureRun } from "../../lib/gan/generator_quality.ts";
import type { ImageJudge } from "../../lib/gan/inception_distance.ts";
import { describeSource, sampleConditional, sampleWithSource } from "../../lib/gan/sample.ts";
import { writeRunFigures } from "../../lib/gan/figures.ts";
import { type DcganTrainOptions, trainDcgan } from "../../lib/gan/train.ts";
import { newNetworks, trainStep } from "../../lib/gan/step.ts";
import { updateAverage } from "../../lib/gan/ema.ts";
import { DEFAULT_DCGAN_TRAINING, DEFAULT_OBJECTIVE } from "../../lib/config.ts";
import { classifierLoss, CONDITION_SIZE, conditionVector } from "../../lib/models/dcgan.ts";
import { TrainingInterrupted } from "../../lib/training/run.ts";
import { exportGenerator, loadShippedGenerator } from "../../lib/gan/shipped.ts";
import { tinyCnn } from "./quality_fixture.ts";
import { GROWING_SHAPE } from "./generator_fixture.ts";

await tf.setBackend("cpu");

const GENRES = [["Drama"], ["Action", "Sci-Fi"], ["Horror"], ["Drama", "War"]];

/** 16 posters of 10x15 pixels in four colours, with genres and years. */
function tinySet(): TrainingSet {
  const count = 16;
  const pixels = new Uint8Array(count * 10 * 15 * 3);
  for (let i = 0; i < count; i++) pixels.fill(40 + 50 * (i % 4), i * 450, (i + 1) * 450);
  return {
    selection: {
      dataDir: "unused",
      minYear: 1980,
      maxYear: 2017,
      genres: [],
      excludeGenres: [],
      ratio: 5,
    },
    key: "tiny",
    width: 10,
    height: 15,
    movies: Array.from(
      { length: count },
      (_, i) => ({ imdbId: i + 1, year: 1980 + 10 * (i % 4), genres: GENRES[i % 4] }),
    ),
    pixels,
  };
}

/** A stand-in for InceptionV3: each image's mean colour and its spread. */
function tinyJudge(): ImageJudge {
  return {
    name: "tiny judge",
    features: (pixels) =>
      tf.tidy(() => {
        const { mean, variance } = tf.moments(pixels.div(255), [1, 2]);
        return tf.concat([mean, variance.sqrt()], 1) as tf.Tensor2D;
      }),
    dispose: () => {},
  };
}

function options(runDir: string, extra: Partial<DcganTrainOptions> = {}): DcganTrainOptions {
  return {
    runDir,
    set: tinySet(),
    shape: { width: 8, height: 12, latentDim: 4, filters: 4, conditionSize: CONDITION_SIZE },
    epochs: 2,
    decayEpochs: 0,
    learningRate: DEFAULT_DCGAN_TRAINING.learningRate,
    beta1: DEFAULT_DCGAN_TRAINING.beta1,
    batchSize: 4,
    gridRows: 2,
    gridColumns: 3,
    sampleRate: 3,
    checkpointEvery: 2,
    resume: false,
    seed: 7,
    backend: "cpu",
    qualitySamples: 8,
    log: () => {},
    progress: false,
    ...extra,
  };
}

async function generatorWeights(runDir: string): Promise<number[]> {
  const generator = await loadGenerator(runPaths(runDir).checkpoint);
  const values = generator.getWeights().flatMap((w) => Array.from(w.dataSync()));
  generator.dispose();
  return values;
}

Deno.test("a run writes grids, checkpoints, per-epoch quality, metadata and a video", async () => {
  const runDir = join(await Deno.makeTempDir(), "run");
  try {
    let judgesLoaded = 0;
    const { metadata, grids: gridPaths } = await trainDcgan(
      options(runDir, {
        qualityCnn: tinyCnn(),
        independentJudge: () => Promise.resolve((judgesLoaded++, tinyJudge())),
      }),
    );
    assert.equal(metadata.finished, true);
    assert.equal(metadata.step, 8); // 16 posters / batch 4 = 4 steps an epoch, 2 epochs
    assert.equal(metadata.history.length, 8);
    assert.ok(metadata.history.every((h) => Number.isFinite(h.dLoss) && Number.isFinite(h.gLoss)));
    // Step 0 (untrained) and each epoch end.
    assert.deepEqual(metadata.quality.map((q) => q.epoch), [0, 1, 2]);
    assert.ok(metadata.quality.every((q) => q.frechetDistance >= 0 && q.cnn === "tiny"));
    // The floor: two disjoint halves of 8 real posters, beside every distance.
    assert.equal(metadata.frechetFloor?.samples, 8);
    assert.ok(metadata.frechetFloor!.distance > 0);
    for (const q of metadata.quality) {
      assert.equal(q.frechetFloor, metadata.frechetFloor!.distance);
      assert.ok(Math.abs(q.frechetOverFloor! - q.frechetDistance / q.frechetFloor!) < 0.01);
      // Samples come from the weight average; the trained generator's own figures sit beside.
      assert.ok(q.frechetVariants!.rawMovingStatistics >= 0 && q.frechetVariants!.rawBatchStatistics >= 0);
      assert.ok(q.frechetVariants!.averageBatchStatistics! >= 0);
    }
    assert.ok(metadata.quality.every((q) => q.tiling! > 0 && Number.isFinite(q.tiling)));
    // A conditional run measures its spread per decade (spread_test.ts); here each decade's real posters
    // are one colour, so there is no real spread to compare with and every decade is left out.
    assert.ok(metadata.quality.every((q) => q.decadeSpread && Object.keys(q.decadeSpread).length === 0));
    // Step 0: the average is the untrained generator itself.
    assert.equal(
      metadata.quality[0].frechetVariants!.rawMovingStatistics,
      metadata.quality[0].frechetDistance,
    );
    const hits = metadata.quality[1].genreHits!;
    assert.equal(hits.chance, 0.333);
    // Per genre, generated and real side by side, for the same genres; the mean is over those genres.
    assert.deepEqual(Object.keys(hits.realPerGenre!).sort(), Object.keys(hits.perGenre).sort());
    const realRates = Object.values(hits.realPerGenre!);
    assert.ok(Math.abs(hits.real - realRates.reduce((a, b) => a + b, 0) / realRates.length) < 0.002);
    // The independent judge, loaded once at the end: beside the last epoch's figures only, on the same
    // 8 real posters, 8 generated and the other 8 real for its floor, at the generator's size.
    assert.equal(judgesLoaded, 1);
    assert.deepEqual(metadata.quality.map((q) => q.independent !== undefined), [false, false, true]);
    const judged = metadata.quality[2].independent!;
    assert.deepEqual(
      [judged.network, judged.width, judged.height, judged.realSamples, judged.generatedSamples],
      ["tiny judge", 8, 12, 8, 8],
    );
    assert.ok(judged.distance > 0 && judged.floor! > 0 && judged.overFloor! > 0);
    const grids = [...Deno.readDirSync(runPaths(runDir).grids)].map((e) => e.name).sort();
    assert.deepEqual(grids, ["step_000000.png", "step_000003.png", "step_000006.png", "step_000008.png"]);
    assert.deepEqual(
      gridPaths,
      [0, 3, 6, 8].map((step, i) => ({ step, path: join(runPaths(runDir).grids, grids[i]) })),
    );
    // Poster-shaped tiles (8x12) are kept as they are: 3 columns and 2 rows with 2-pixel gaps.
    const grid = await sharp(runPaths(runDir).grid(3)).metadata();
    assert.deepEqual([grid.width, grid.height], [3 * (8 + 2) + 2, 2 * (12 + 2) + 2]);
    assert.deepEqual(metadata.gridLayout.rowLabels, ["Drama", "Action"]);
    assert.equal(metadata.video?.frames, 4);
    // (The frames of so short a run are nearly identical, and WebP merges equal frames: don't count pages.)
    assert.equal((await sharp(runPaths(runDir).video).metadata()).format, "webp");
    // ffmpeg is one of .ci/run's packages: the run's MP4 is a real one.
    assert.equal(
      metadata.video?.mp4,
      runPaths(runDir).video.replace(/webp$/, "mp4"),
      metadata.video?.mp4Skipped ?? "",
    );
    assert.equal(
      new TextDecoder().decode((await Deno.readFile(metadata.video!.mp4!)).subarray(4, 8)),
      "ftyp",
    );
    assert.deepEqual(await readRunMetadata(runDir), {
      ...metadata,
      updatedAt: (await readRunMetadata(runDir))!.updatedAt,
    });
    await Deno.stat(runPaths(runDir).epochGenerator(2));
    await assert.rejects(() => trainDcgan(options(runDir)), /already holds a run: add --resume/);
    // Measuring again from the epoch snapshots (as after a new CNN is trained) gives the same figures.
    // (Epoch snapshots hold the sampled generator only, so the trained generator's figures are not remade.)
    const again = await remeasureRun(runDir, tinySet(), tinyCnn(), 8, () => {}, tinyJudge());
    // The snapshot of the last epoch is the generator the run judged: the same posters, the same figures.
    assert.deepEqual(
      { ...again[2].independent, seconds: 0 },
      { ...judged, seconds: 0 },
    );
    assert.deepEqual(
      again.map(({ independent: _, ...q }) => q),
      metadata.quality.map(({ frechetVariants: _, independent: __, ...q }) => q),
    );
    assert.deepEqual((await readRunMetadata(runDir))!.quality, again);
    assert.equal((await readRunMetadata(runDir))!.frechetFloor?.distance, again[0].frechetFloor);
  } finally {
    await Deno.remove(join(runDir, ".."), { recursive: true });
  }
});

Deno.test("a CNN with a year head judges the decades: generated 1980s against 2000s beside real ones", async () => {
  const runDir = join(await Deno.makeTempDir(), "run");
  try {
    const { metadata } = await trainDcgan(options(runDir, { qualityCnn: tinyCnn(true), epochs: 1 }));
    for (const q of metadata.quality) {
      const d = q.decades!;
      assert.deepEqual(d.decades, [1980, 2000]);
      assert.ok([...d.generated, ...d.real].every((y) => Number.isFinite(y) && y > 1900 && y < 2100));
      // The tiny CNN's year head reads colour: the real 1980s and 2000s posters differ in colour.
      assert.notEqual(d.real[0], d.real[1]);
      const ratio = (d.generated[1] - d.generated[0]) / (d.real[1] - d.real[0]);
      assert.ok(Math.abs(d.gapRatio - ratio) < 0.05, `${d.gapRatio} vs ${ratio}`);
    }
    // Without a year head there is nothing to judge decades with.
    const { metadata: plain } = await trainDcgan(
      options(join(runDir, "..", "plain"), { qualityCnn: tinyCnn(), epochs: 1 }),
    );
    assert.ok(plain.quality.every((q) => q.decades === undefined));
  } finally {
    await Deno.remove(join(runDir, ".."), { recursive: true });
  }
});

Deno.test("an interrupted run resumed from its checkpoint ends with the same weights as an uninterrupted one", async () => {
  const root = await Deno.makeTempDir();
  try {
    const whole = join(root, "whole");
    await trainDcgan(options(whole));
    const parts = join(root, "parts");
    // Ctrl-C after step 5: the call writes a checkpoint and throws.
    const stop = new AbortController();
    await assert.rejects(
      () => trainDcgan(options(parts, { signal: stop.signal, onStep: (s) => s.step === 5 && stop.abort() })),
      TrainingInterrupted,
    );
    const stopped = (await readRunMetadata(parts))!;
    assert.equal(stopped.finished, false);
    assert.equal(stopped.step, 5);
    assert.equal(stopped.video, undefined);
    await assert.rejects(() => trainDcgan(options(parts)), /already holds a run: add --resume/);
    const resumed = await trainDcgan(options(parts, { resume: true }));
    assert.equal(resumed.metadata.finished, true);
    assert.equal(resumed.metadata.step, 8);
    assert.deepEqual(resumed.metadata.history.map((h) => h.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(resumed.metadata.history, (await readRunMetadata(whole))!.history);
    // Same weights up to float rounding (Adam's bias corrections are recomputed on restore).
    const [a, b] = [await generatorWeights(parts), await generatorWeights(whole)];
    assert.equal(a.length, b.length);
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), "resumed weights differ");
    await assert.rejects(
      () => trainDcgan(options(parts, { resume: true, batchSize: 2 })),
      /Cannot resume .*parts: training\.batchSize: 4 → 2\. Resume with the flags of the interrupted run/,
    );
    // The declared keys may change: two more epochs continue the finished run.
    const longer = await trainDcgan(options(parts, { resume: true, epochs: 3, sampleRate: 4 }));
    assert.equal(longer.metadata.step, 12);
    assert.equal(longer.metadata.training.epochs, 3);
    // A run saved before DiffAugment and the AC-GAN head existed trained without them, and resumes so;
    // today's defaults (both on) are other settings, and say so.
    const before = join(root, "before");
    const untouched = {
      shape: { ...options(before).shape, auxiliaryClassifier: false },
      objective: { ...DEFAULT_OBJECTIVE, augment: [] },
    };
    await trainDcgan(options(before, untouched));
    const saved = JSON.parse(await Deno.readTextFile(join(before, "metadata.json")));
    assert.deepEqual([saved.training.augment, saved.shape.auxiliaryClassifier], [[], false]);
    // (Records of that time had no format number: lib/gan/run.ts reads them by what they hold.)
    delete saved.format;
    delete saved.training.augment;
    delete saved.training.decayEpochs;
    delete saved.shape.auxiliaryClassifier;
    await Deno.writeTextFile(join(before, "metadata.json"), JSON.stringify(saved));
    await assert.rejects(
      () => trainDcgan(options(before, { resume: true, epochs: 3 })),
      /Cannot resume .*shape\.auxiliaryClassifier: false → true.*training\.augment/s,
    );
    assert.equal(
      (await trainDcgan(options(before, { ...untouched, resume: true, epochs: 3 }))).metadata.step,
      12,
    );
    await assert.rejects(
      () => trainDcgan(options(join(root, "none"), { resume: true })),
      /Nothing to resume/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a learning-rate decay changes only its last epochs' steps, and a resumed run can start one exactly", async () => {
  const root = await Deno.makeTempDir();
  try {
    const decayed = await trainDcgan(options(join(root, "decayed"), { epochs: 3, decayEpochs: 1 }));
    assert.equal(decayed.metadata.training.decayEpochs, 1);
    const constant = await trainDcgan(options(join(root, "constant"), { epochs: 3 }));
    const losses = (h: { dLoss: number; gLoss: number }[]) => h.map((r) => [r.dLoss, r.gLoss]);
    // Steps 1-9 run at the full rate in both (the decay starts from it); 10-12 are slower in one only.
    assert.deepEqual(
      losses(decayed.metadata.history.slice(0, 9)),
      losses(constant.metadata.history.slice(0, 9)),
    );
    assert.notDeepEqual(
      losses(decayed.metadata.history.slice(9)),
      losses(constant.metadata.history.slice(9)),
    );
    // Two constant epochs, then resumed with a decayed third: the same run as one that planned it.
    const later = join(root, "later");
    await trainDcgan(options(later));
    const lines: string[] = [];
    const resumed = await trainDcgan(
      options(later, { resume: true, epochs: 3, decayEpochs: 1, log: (line) => lines.push(line) }),
    );
    assert.ok(lines.some((l) => l.includes("(2 of 3 epochs done, the last 1 decaying)")), lines.join("\n"));
    assert.deepEqual(resumed.metadata.history, decayed.metadata.history);
    const [a, b] = [await generatorWeights(later), await generatorWeights(join(root, "decayed"))];
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), "resumed decayed weights differ");
    await assert.rejects(
      () => trainDcgan(options(join(root, "long"), { epochs: 2, decayEpochs: 3 })),
      /decayEpochs must be a whole number from 0 to epochs \(2\), got 3/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Adam's beta2: Adam's own 0.999 unless given, recorded when given, changes the steps", async () => {
  const root = await Deno.makeTempDir();
  try {
    const losses = (h: { dLoss: number; gLoss: number }[]) => h.map((r) => [r.dLoss, r.gLoss]);
    const plain = await trainDcgan(options(join(root, "plain")));
    const same = await trainDcgan(options(join(root, "same"), { beta2: 0.999 }));
    assert.deepEqual(losses(same.metadata.history), losses(plain.metadata.history));
    assert.equal(plain.metadata.training.beta2, undefined);
    const sagan = await trainDcgan(options(join(root, "sagan"), { beta2: 0.9 }));
    assert.equal(sagan.metadata.training.beta2, 0.9);
    const last = sagan.metadata.history.length - 1;
    assert.notDeepEqual(losses([sagan.metadata.history[last]]), losses([plain.metadata.history[last]]));
    await assert.rejects(
      () => trainDcgan(options(join(root, "plain"), { beta2: 0.9, resume: true })),
      /training\.beta2: unset → 0\.9/,
    );
    await assert.rejects(
      () => trainDcgan(options(join(root, "bad"), { beta2: 1 })),
      /beta2 must be from 0 to below 1, got 1/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a discriminator learning rate of its own: recorded, changes the steps, resumes exactly and only as it was", async () => {
  const root = await Deno.makeTempDir();
  try {
    const rate = DEFAULT_DCGAN_TRAINING.learningRate;
    const losses = (h: { dLoss: number; gLoss: number }[]) => h.map((r) => [r.dLoss, r.gLoss]);
    const plain = await trainDcgan(options(join(root, "plain"), { decayEpochs: 1 }));
    const same = await trainDcgan(
      options(join(root, "same"), { decayEpochs: 1, discriminatorLearningRate: rate }),
    );
    assert.deepEqual(losses(same.metadata.history), losses(plain.metadata.history));
    assert.equal(plain.metadata.training.discriminatorLearningRate, undefined);
    const fast = (runDir: string, extra: Partial<DcganTrainOptions> = {}) =>
      options(runDir, { decayEpochs: 1, discriminatorLearningRate: 4 * rate, ...extra });
    const whole = await trainDcgan(fast(join(root, "whole")));
    assert.equal(whole.metadata.training.discriminatorLearningRate, 4 * rate);
    assert.equal(whole.metadata.training.learningRate, rate);
    // The first step's discriminator loss comes before any update; its generator loss after the first
    // discriminator update. A schedule that set both networks to the generator's rate before each step
    // would repeat `plain` throughout.
    assert.equal(whole.metadata.history[0].dLoss, plain.metadata.history[0].dLoss);
    for (const step of [0, 1, whole.metadata.history.length - 1]) {
      assert.notDeepEqual(losses([whole.metadata.history[step]]), losses([plain.metadata.history[step]]));
    }
    const stop = new AbortController();
    await assert.rejects(
      () =>
        trainDcgan(
          fast(join(root, "parts"), { signal: stop.signal, onStep: (s) => s.step === 3 && stop.abort() }),
        ),
      TrainingInterrupted,
    );
    await assert.rejects(
      () => trainDcgan(options(join(root, "parts"), { decayEpochs: 1, resume: true })),
      /training\.discriminatorLearningRate: 0\.0008 → unset/,
    );
    const resumed = await trainDcgan(fast(join(root, "parts"), { resume: true }));
    assert.deepEqual(resumed.metadata.history, whole.metadata.history);
    await assert.rejects(
      () => trainDcgan(fast(join(root, "bad"), { discriminatorLearningRate: 0 })),
      /discriminatorLearningRate must be above 0, got 0/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("hinge loss, spectral norm, transposed convolutions, minibatch deviation, no average: trains and resumes exactly", async () => {
  const root = await Deno.makeTempDir();
  try {
    const variant = (runDir: string, extra: Partial<DcganTrainOptions> = {}) =>
      options(runDir, {
        shape: {
          width: 8,
          height: 12,
          latentDim: 4,
          filters: 4,
          conditionSize: CONDITION_SIZE,
          upsampling: "transposed",
          spectralNorm: true,
          conditioning: "input",
          minibatchStd: true,
        },
        objective: { loss: "hinge", realLabel: 1, averageDecay: 0, classWeight: 1 },
        ...extra,
      });
    const whole = await trainDcgan(variant(join(root, "whole")));
    assert.ok(whole.metadata.history.every((h) => Number.isFinite(h.dLoss) && Number.isFinite(h.gLoss)));
    assert.equal(whole.metadata.training.loss, "hinge");
    const stop = new AbortController();
    await assert.rejects(
      () =>
        trainDcgan(
          variant(join(root, "parts"), { signal: stop.signal, onStep: (s) => s.step === 3 && stop.abort() }),
        ),
      TrainingInterrupted,
    );
    const resumed = await trainDcgan(variant(join(root, "parts"), { resume: true }));
    assert.deepEqual(resumed.metadata.history, whole.metadata.history);
    const [a, b] = [await generatorWeights(join(root, "parts")), await generatorWeights(join(root, "whole"))];
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), "resumed weights differ");
    await assert.rejects(
      () => trainDcgan(options(join(root, "parts"), { resume: true })),
      (error: Error) =>
        /^Cannot resume .*parts: /.test(error.message) &&
        /training\.loss: "hinge" → "bce"/.test(error.message) &&
        /shape\.spectralNorm: true → false/.test(error.message) &&
        /shape\.minibatchStd: true → false/.test(error.message),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dcgan:sample --epoch: the generator a run saved at that epoch's end, one candidate", async () => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = join(root, "c");
    await trainDcgan(options(runDir, { epochs: 2 }));
    const ask = { runDir, genres: ["Drama"], decade: 1990, count: 4, seed: 1, candidates: 1, truncation: 1 };
    const latest = await sampleWithSource({ ...ask, out: join(root, "latest.png") });
    const first = await sampleWithSource({ ...ask, epoch: 1, out: join(root, "first.png") });
    const last = await sampleWithSource({ ...ask, epoch: 2, out: join(root, "last.png") });
    assert.match(describeSource(first.source), /after 4 steps, as saved at the end of epoch 1\)$/);
    // The last epoch's saved generator is the run's latest (its weight average); the first is another.
    assert.deepEqual(await Deno.readFile(last.out), await Deno.readFile(latest.out));
    assert.notDeepEqual(await Deno.readFile(first.out), await Deno.readFile(latest.out));
    await assert.rejects(
      () => sampleWithSource({ ...ask, epoch: 3 }),
      /has no generator of epoch 3: .* epochs 1 to 2/,
    );
    await assert.rejects(
      () => sampleWithSource({ ...ask, epoch: 1, candidates: 4 }),
      /--epoch draws one candidate per poster/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("conditional samples: a grid for a genre and decade; unconditional runs refuse", async () => {
  const root = await Deno.makeTempDir();
  try {
    const runDir = join(root, "c");
    await trainDcgan(options(runDir, { epochs: 1 }));
    const out = await sampleConditional({ runDir, genres: ["sci-fi"], decade: 1987, count: 5, seed: 1 });
    assert.match(out, /samples\/Sci-Fi_1980s_seed1\.png$/);
    const meta = await sharp(out).metadata();
    assert.equal(meta.width, 3 * 10 + 2); // 5 posters: 3 columns, 2 rows
    const row = await sampleConditional({
      runDir,
      genres: ["Horror"],
      decade: 2000,
      count: 4,
      seed: 1,
      columns: 4,
    });
    assert.equal((await sharp(row).metadata()).width, 4 * 10 + 2);
    await assert.rejects(
      () => sampleConditional({ runDir, genres: ["Sci-Fi"], decade: 1950, count: 4, seed: 1 }),
      /outside the decades/,
    );
    // The README's pictures of the run: progress strip, final grid, two conditions side by side.
    const figures = await writeRunFigures(runDir, join(root, "figures"), { frames: 3, count: 4 });
    assert.deepEqual(figures.steps, [0, 3, 4]); // grids at steps 0, 3 and the last (4)
    const strip = await sharp(figures.progress).metadata();
    assert.deepEqual([strip.width, strip.height], [3 * (8 + 2) + 2, 3 * 15]); // 3 first rows of 30/2 px
    const pair = await sharp(figures.conditional!).metadata();
    assert.deepEqual([pair.width, pair.height], [2 * (4 * (8 + 2) + 2) + 12, 12 + 4]);
    const final = await sharp(figures.final).metadata();
    assert.deepEqual([final.format, final.width], [
      "webp",
      (await sharp(runPaths(runDir).grid(4)).metadata()).width,
    ]);
    assert.ok(
      figures.conditionEffect! > 0 && Number.isFinite(figures.conditionEffect),
      `${figures.conditionEffect}`,
    );
    // The same as drawn: the figures' samples are the generator's own draws, whatever dcgan:sample defaults to.
    const asDrawn = await sampleConditional({
      runDir,
      genres: ["Sci-Fi"],
      decade: 1980,
      count: 4,
      seed: 1,
      columns: 4,
      candidates: 1,
      truncation: 1,
      out: join(root, "as_drawn.png"),
    });
    const samples = runPaths(runDir).samples;
    assert.deepEqual(
      await Deno.readFile(join(samples, "Sci-Fi_1980s_seed1.png")),
      await Deno.readFile(asDrawn),
    );
    // The run's discriminator has its classifier, so the best-of-K picture is there: as drawn | the defaults.
    const best = await sharp(figures.bestOfK!).metadata();
    assert.deepEqual([best.width, best.height], [pair.width, pair.height]);
    assert.notDeepEqual(
      await Deno.readFile(join(samples, "Sci-Fi_1980s_best_of_k.png")),
      await Deno.readFile(asDrawn),
    );
    const plain = join(root, "u");
    await trainDcgan(
      options(plain, {
        epochs: 1,
        shape: { width: 8, height: 12, latentDim: 4, filters: 4, conditionSize: 0 },
      }),
    );
    await assert.rejects(
      () => sampleConditional({ runDir: plain, genres: ["Drama"], decade: 1990, count: 4, seed: 1 }),
      /unconditional: train one with --conditional/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trainStep leaves no tensor behind (conditional, with the weight average's update)", () => {
  for (const minibatchStd of [false, true]) leavesNoTensor(minibatchStd);
});

/** The conditional networks of the step tests: 8x12 posters, 4 filters. */
const SMALL_CONDITIONAL = { width: 8, height: 12, latentDim: 16, filters: 4, conditionSize: CONDITION_SIZE };

function leavesNoTensor(minibatchStd: boolean) {
  const shape = { ...SMALL_CONDITIONAL, minibatchStd };
  const nets = newNetworks(shape, 2, DEFAULT_OBJECTIVE);
  const step = (i: number) => {
    trainStep(nets, real, conditions, 16, i);
    updateAverage(nets.average!, nets.generator, DEFAULT_OBJECTIVE.averageDecay, i);
  };
  const real = tf.randomUniform([4, 12, 8, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const conditions = tf.randomUniform([4, CONDITION_SIZE], 0, 1, "float32", 2).round() as tf.Tensor2D;
  step(0); // the optimizers create their moments on the first step
  const before = tf.memory().numTensors;
  for (let i = 1; i <= 3; i++) step(i);
  assert.equal(tf.memory().numTensors, before, `minibatch deviation ${minibatchStd}`);
  tf.dispose([real, conditions]);
}

Deno.test("trainStep: an AC-GAN head with DiffAugment trains, and its classifier learns the real posters' conditions", () => {
  const shape = { ...SMALL_CONDITIONAL, auxiliaryClassifier: true };
  const objective = { ...DEFAULT_OBJECTIVE, augment: ["color", "translation", "cutout"] as const };
  const nets = newNetworks(shape, 3, objective);
  const real = tf.randomUniform([8, 12, 8, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const conditions = tf.tensor2d(
    Array.from({ length: 8 }, (_, i) => Array.from(conditionVector(GENRES[i % 4], 1980 + 10 * (i % 3)))),
  );
  const outputs = nets.discriminator.predict([real, conditions]) as tf.Tensor[];
  assert.equal(outputs.length, 2);
  assert.deepEqual(outputs.map((o) => o.shape), [[8, 1], [8, CONDITION_SIZE]]);
  const loss = () =>
    tf.tidy(() =>
      classifierLoss(
        conditions,
        (nets.discriminator.predict([real, conditions]) as tf.Tensor[])[1] as tf.Tensor2D,
      )
        .dataSync()[0]
    );
  const before = loss();
  for (let i = 0; i < 60; i++) {
    const record = trainStep(nets, real, conditions, 16, i, objective);
    assert.ok([record.dLoss, record.gLoss].every(Number.isFinite));
  }
  assert.ok(loss() < before * 0.99, `classifier loss ${before} -> ${loss()}`);
  tf.dispose([...outputs, real, conditions]);
});

Deno.test("trainStep: the class weight scales only the generator's AC-GAN loss", () => {
  const shape = SMALL_CONDITIONAL;
  const real = tf.randomUniform([4, 12, 8, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const conditions = tf.tensor2d(
    Array.from({ length: 4 }, (_, i) => Array.from(conditionVector(GENRES[i], 1990))),
  );
  const step = (classWeight: number) => {
    const objective = { ...DEFAULT_OBJECTIVE, classWeight };
    const nets = newNetworks(shape, 5, objective);
    const record = trainStep(nets, real, conditions, 16, 0, objective);
    for (const net of [nets.generator, nets.discriminator, nets.average]) net?.dispose();
    return record;
  };
  const [none, one, three] = [step(0), step(1), step(3)];
  // The discriminator's step does not see the weight (its losses differ only in the last digits).
  assert.ok(Math.abs(one.dLoss - three.dLoss) < 1e-2, `${one.dLoss} ${three.dLoss}`);
  assert.ok(none.gLoss < one.gLoss && one.gLoss < three.gLoss, `${none.gLoss} ${one.gLoss} ${three.gLoss}`);
  // The generator's loss is adversarial + weight x classifier: linear in the weight.
  assert.ok(Math.abs((three.gLoss - none.gLoss) - 3 * (one.gLoss - none.gLoss)) < 1e-2);
  tf.dispose([real, conditions]);
});

Deno.test("classifierLoss: low when the logits name the conditions, high when they name others", () => {
  const target = tf.tensor2d([Array.from(conditionVector(["Drama"], 1990))]);
  const right = target.mul(20).sub(10) as tf.Tensor2D;
  const wrong = right.neg() as tf.Tensor2D;
  const [good, bad] = [right, wrong].map((l) => classifierLoss(target, l).dataSync()[0]);
  assert.ok(good < 0.01 && bad > 5, `${good} ${bad}`);
  tf.dispose([target, right, wrong]);
});

Deno.test("classifierLoss: its weights scale the genres' part and the decade's part apart", () => {
  const target = tf.tensor2d([Array.from(conditionVector(["Drama"], 1990))]);
  const logits = tf.randomNormal(target.shape, 0, 2, "float32", 7) as tf.Tensor2D;
  const loss = (genres: number, decade: number) =>
    classifierLoss(target, logits, { genres, decade }).dataSync()[0];
  const [genrePart, decadePart] = [loss(1, 0), loss(0, 1)];
  assert.ok(genrePart > 0 && decadePart > 0, `${genrePart} ${decadePart}`);
  assert.ok(Math.abs(classifierLoss(target, logits).dataSync()[0] - (genrePart + decadePart)) < 1e-5);
  assert.ok(Math.abs(loss(4, 2) - (4 * genrePart + 2 * decadePart)) < 1e-4);
  tf.dispose([target, logits]);
});

Deno.test("trainStep: a reconstructing discriminator's decoders learn from real posters only, leaving no tensor behind", () => {
  const shape = { width: 32, height: 48, latentDim: 4, filters: 2, conditionSize: 0, reconstruct: true };
  const objective = { ...DEFAULT_OBJECTIVE, augment: [] };
  const nets = newNetworks(shape, 3, objective);
  const real = tf.randomUniform([2, 48, 32, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const decoderWeights = () =>
    nets.discriminator.layers.filter((l) => l.name.startsWith("reconstruction")).flatMap((l) =>
      l.getWeights().map((w) => w.dataSync().slice())
    );
  const before = decoderWeights();
  assert.ok(before.length >= 6, "two decoders with convolutions and batch norms");
  trainStep(nets, real, undefined, 4, 0, objective);
  const tensors = tf.memory().numTensors;
  trainStep(nets, real, undefined, 4, 1, objective);
  assert.equal(tf.memory().numTensors, tensors);
  // Only the reconstruction error reaches the decoders: they moved, so it is in the discriminator's loss.
  const after = decoderWeights();
  assert.ok(before.some((w, k) => w.some((v, j) => v !== after[k][j])), "the decoders trained");
  tf.dispose([real]);
});

Deno.test("a growing run starts small, grows a size, and resumes across the growth exactly", async () => {
  const root = await Deno.makeTempDir();
  try {
    // 4 steps an epoch: epoch 1 at 8x12, then 16x24 fading in over 2 steps, to the end of epoch 3.
    const shape = GROWING_SHAPE;
    const growing = (runDir: string, extra: Partial<DcganTrainOptions> = {}) =>
      options(runDir, { shape, epochs: 3, ...extra });
    const whole = await trainDcgan(growing(join(root, "whole")));
    assert.equal(whole.metadata.shape.growFrom, 8);
    assert.equal(whole.metadata.step, 12);
    assert.ok(whole.metadata.history.every((h) => Number.isFinite(h.dLoss) && Number.isFinite(h.gLoss)));
    // Its last generator is the full size's, no longer drawing 2x2 blocks.
    const generator = await loadGenerator(runPaths(join(root, "whole")).checkpoint);
    const inputs = [tf.randomNormal([2, 4], 0, 1, "float32", 3), tf.zeros([2, CONDITION_SIZE])];
    const images = generator.predict(inputs) as tf.Tensor4D;
    const blocks = tf.image.resizeNearestNeighbor(tf.avgPool(images, 2, 2, "valid"), [24, 16]);
    assert.ok(tf.abs(blocks.sub(images)).max().dataSync()[0] > 1e-3);
    generator.dispose();
    // Exported, it is the plain full-size network with the same weights: no fade-in for the page to know.
    const { dir } = await exportGenerator({ runDir: join(root, "whole"), outDir: join(root, "shipped") });
    const shipped = await loadShippedGenerator(dir);
    assert.ok(shipped.model.layers.every((layer) => layer.getClassName() !== "FadeIn"));
    assert.ok(shipped.chooser, "the discriminator's classifier ships too");
    assert.ok(shipped.chooser.classifier.layers.every((layer) => layer.getClassName() !== "FadeIn"));
    assert.ok(!shipped.model.layers.some((layer) => layer.name === "rgb8"));
    const again = (shipped.model.predict(inputs) as tf.Tensor).dataSync();
    assert.ok(Array.from(images.dataSync()).every((v, i) => Math.abs(v - again[i]) < 1e-6));
    shipped.model.dispose();
    shipped.chooser?.classifier.dispose();
    // Stopped after epoch 1 (the small size's last step), resumed: it grows as the whole run did.
    const stop = new AbortController();
    const parts = join(root, "parts");
    await assert.rejects(
      () =>
        trainDcgan(
          growing(parts, { signal: stop.signal, onStep: (s) => s.step === 4 && stop.abort() }),
        ),
      TrainingInterrupted,
    );
    const resumed = await trainDcgan(growing(parts, { resume: true }));
    assert.deepEqual(resumed.metadata.history, whole.metadata.history);
    const [a, b] = [await generatorWeights(parts), await generatorWeights(join(root, "whole"))];
    assert.equal(a.length, b.length);
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), "resumed weights differ");
    await assert.rejects(
      () => trainDcgan(growing(join(root, "short"), { shape: { ...shape, growEpochs: 3 } })),
      /growEpochs must be a whole number of at least 1 that leaves epochs for the full size/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
