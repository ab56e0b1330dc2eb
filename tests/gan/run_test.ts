import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readRunMetadata,
  RUN_FORMAT,
  type RunMetadata,
  runPaths,
  upgradeRunRecord,
  writeRunMetadata,
} from "../../lib/gan/run.ts";

/** What every generation of run records holds alike. */
const COMMON = {
  name: "old",
  startedAt: "2026-11-01T10:00:00.000Z",
  updatedAt: "2026-11-01T11:00:00.000Z",
  conditional: true,
  dataset: {
    key: "ratio5",
    selection: { dataDir: "data", minYear: 1980, maxYear: 2017, genres: [], excludeGenres: [], ratio: 5 },
    count: 1000,
    stepsPerEpoch: 15,
  },
  backend: "native",
  gridLayout: { rows: 2, columns: 3 },
  step: 30,
  epoch: 2,
  finished: true,
  history: [{ step: 1, epoch: 0, dLoss: 1.4, gLoss: 0.7, dReal: 0.5, dFake: 0.5 }],
  quality: [],
  timings: { trainSeconds: 60, stepsPerSecond: 0.5, imagesPerSecond: 32 },
};
const TRAINING = { epochs: 2, batchSize: 64, learningRate: 2e-4, beta1: 0.5, sampleRate: 10, seed: 1 };

/** Format 1: square networks (shape.size), before the objective was recorded. */
const SQUARE = {
  ...COMMON,
  shape: { size: 32, latentDim: 100, filters: 64, conditionSize: 19 },
  training: TRAINING,
};
/** Format 2: poster shapes, upsampling, conditioning and the objective; no DiffAugment, no AC-GAN head. */
const POSTER = {
  ...COMMON,
  shape: {
    width: 64,
    height: 96,
    latentDim: 100,
    filters: 64,
    conditionSize: 19,
    upsampling: "resize",
    spectralNorm: true,
    conditioning: "projection",
  },
  training: { ...TRAINING, loss: "hinge", realLabel: 1, averageDecay: 0.999 },
};
/** Format 3: DiffAugment and the AC-GAN head; no learning-rate decay. */
const AUGMENTED = {
  ...POSTER,
  shape: { ...POSTER.shape, auxiliaryClassifier: true },
  training: { ...POSTER.training, augment: ["color", "translation"] },
};
/** Format 4: the learning-rate decay recorded. */
const DECAYED = { ...AUGMENTED, training: { ...AUGMENTED.training, decayEpochs: 5 } };
/** Format 5: how the generator takes the condition recorded. */
const CONDITIONED = { ...DECAYED, shape: { ...DECAYED.shape, generatorConditioning: "modulated" } };
/** Format 6: the generator's class weight recorded. */
const WEIGHED = { ...CONDITIONED, training: { ...CONDITIONED.training, classWeight: 4 } };
/** Format 7: the generator's skip-layer excitation recorded. */
const EXCITED = { ...WEIGHED, shape: { ...WEIGHED.shape, skipExcitation: true } };
/** Format 8: the discriminator's decoders and the generator's full-size block recorded. */
const DECODED = { ...EXCITED, shape: { ...EXCITED.shape, reconstruct: true, fullSizeFilters: 16 } };
/** Format 9, today's: the style generator and the projected discriminator recorded. */
const CURRENT = {
  ...DECODED,
  shape: { ...DECODED.shape, style: true },
  training: { ...DECODED.training, projected: true },
};
/** What runs of formats 1-5 weighed the AC-GAN loss at. */
const CLASS_WEIGHT = { classWeight: 1 };
/** What a generator of formats 1-4 did with the condition. */
const INPUT_ONLY = { generatorConditioning: "input" };
/** What generators of formats 1-8 were of the style generator. */
const NO_STYLE = { style: false };
/** What discriminators of formats 1-7 had of decoders, and their generators of a full-size block. */
const NO_DECODERS = { reconstruct: false, fullSizeFilters: 0, ...NO_STYLE };
/** What generators of formats 1-6 had of skip-layer excitation (and of what came after it). */
const NO_EXCITATION = { skipExcitation: false, ...NO_DECODERS };

/** Each old generation as today's format reads it. */
const UPGRADED = [
  {
    stored: SQUARE,
    format: 1,
    expected: {
      ...COMMON,
      shape: {
        latentDim: 100,
        filters: 64,
        conditionSize: 19,
        width: 32,
        height: 32,
        upsampling: "transposed",
        conditioning: "input",
        auxiliaryClassifier: false,
        ...INPUT_ONLY,
        ...NO_EXCITATION,
      },
      training: {
        ...TRAINING,
        loss: "bce",
        realLabel: 0.9,
        averageDecay: 0,
        augment: [],
        decayEpochs: 0,
        ...CLASS_WEIGHT,
      },
    },
  },
  {
    stored: POSTER,
    format: 2,
    expected: {
      ...POSTER,
      shape: { ...POSTER.shape, auxiliaryClassifier: false, ...INPUT_ONLY, ...NO_EXCITATION },
      training: { ...POSTER.training, augment: [], decayEpochs: 0, ...CLASS_WEIGHT },
    },
  },
  {
    stored: AUGMENTED,
    format: 3,
    expected: {
      ...AUGMENTED,
      shape: { ...AUGMENTED.shape, ...INPUT_ONLY, ...NO_EXCITATION },
      training: { ...AUGMENTED.training, decayEpochs: 0, ...CLASS_WEIGHT },
    },
  },
  {
    stored: DECAYED,
    format: 4,
    expected: {
      ...DECAYED,
      shape: { ...DECAYED.shape, ...INPUT_ONLY, ...NO_EXCITATION },
      training: { ...DECAYED.training, ...CLASS_WEIGHT },
    },
  },
  {
    stored: CONDITIONED,
    format: 5,
    expected: {
      ...CONDITIONED,
      shape: { ...CONDITIONED.shape, ...NO_EXCITATION },
      training: { ...CONDITIONED.training, ...CLASS_WEIGHT },
    },
  },
  { stored: WEIGHED, format: 6, expected: { ...WEIGHED, shape: { ...WEIGHED.shape, ...NO_EXCITATION } } },
  { stored: EXCITED, format: 7, expected: { ...EXCITED, shape: { ...EXCITED.shape, ...NO_DECODERS } } },
  { stored: DECODED, format: 8, expected: { ...DECODED, shape: { ...DECODED.shape, ...NO_STYLE } } },
  { stored: CURRENT, format: 9, expected: CURRENT },
].map(({ stored, format, expected }) => ({
  stored,
  format,
  // No run of formats 1-8 had the projected discriminator.
  expected: format < 9 ? { ...expected, training: { ...expected.training, projected: false } } : expected,
}));

Deno.test("run records are written in today's format, which is 9", async () => {
  assert.equal(RUN_FORMAT, 9);
  const runDir = await Deno.makeTempDir();
  try {
    await writeRunMetadata(runDir, CURRENT as RunMetadata);
    const stored = JSON.parse(await Deno.readTextFile(runPaths(runDir).metadata));
    assert.equal(stored.format, RUN_FORMAT);
    // The format belongs to the file: the record read back is the one written.
    assert.deepEqual(await readRunMetadata(runDir), { ...CURRENT, updatedAt: stored.updatedAt });
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("a record of each old format upgrades to today's, filling in what those runs trained with", async (t) => {
  for (const { stored, format, expected } of UPGRADED) {
    await t.step(`format ${format}, unnumbered (as it was written) and numbered`, () => {
      assert.deepEqual(upgradeRunRecord(structuredClone(stored)), expected);
      assert.deepEqual(upgradeRunRecord({ ...structuredClone(stored), format }), expected);
    });
  }
});

Deno.test("an old run's metadata.json reads in today's format, and is written back in it", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    for (const { stored, expected } of UPGRADED) {
      await Deno.writeTextFile(runPaths(runDir).metadata, JSON.stringify(stored));
      const read = await readRunMetadata(runDir);
      assert.deepEqual(read, expected);
      await writeRunMetadata(runDir, read!);
      const again = JSON.parse(await Deno.readTextFile(runPaths(runDir).metadata));
      assert.equal(again.format, RUN_FORMAT);
      assert.deepEqual(await readRunMetadata(runDir), { ...expected, updatedAt: again.updatedAt });
    }
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("a numbered record is upgraded from its own format only", () => {
  // Numbered format 6 with no decay recorded: nothing is filled in (today's runs always record it).
  const { decayEpochs: _, ...training } = CURRENT.training;
  assert.equal(upgradeRunRecord({ ...CURRENT, training, format: 6 }).training.decayEpochs, undefined);
});

Deno.test("a run record of a newer or unknown format is refused, naming the file", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      runPaths(runDir).metadata,
      JSON.stringify({ ...CURRENT, format: RUN_FORMAT + 1 }),
    );
    await assert.rejects(() => readRunMetadata(runDir), (error: Error) => {
      assert.ok(
        error.message.startsWith(
          `${join(runDir, "metadata.json")}: it is format ${RUN_FORMAT + 1}, newer than`,
        ),
      );
      return true;
    });
    assert.throws(() => upgradeRunRecord({ ...CURRENT, format: 0 }), /format 0 is no run-record format/);
    await Deno.writeTextFile(runPaths(runDir).metadata, "{ not json");
    await assert.rejects(() => readRunMetadata(runDir), /metadata\.json is not valid JSON/);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
