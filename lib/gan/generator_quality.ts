/**
 * Quality figures of a generator during or after training (see quality_cnn.ts for what they mean):
 * real-poster statistics measured once, then the Fréchet distance and, for conditional models, the
 * genre hit rate of a generator, with fixed noise so checkpoints are comparable.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ALL_GENRES, type DcganShape, DECADE_CHECK, GENRE_HIT_SAMPLES } from "../config.ts";
import {
  buildGenerator,
  CONDITION_LAYOUT,
  conditionVector,
  DECADES,
  upsamplingSteps,
} from "../models/dcgan.ts";
import { loadModelFiles, modelFolderOptions } from "../models/saved.ts";
import { recoverFolder } from "../util/files.ts";
import { concatenate } from "../util/arrays.ts";
import { seededRandom } from "../util/random.ts";
import { type FeatureSet, frechetDistance } from "./frechet.ts";
import {
  collectOutputs,
  type DecadeEstimates,
  type GenreHits,
  type QualityCnn,
  type QualityRecord,
  topGenreRate,
} from "./quality_cnn.ts";
import { generate } from "./sample.ts";
import { candidateNoise, type DrawOptions, drawPosters } from "./choose_posters.ts";
import { makePosters } from "./make_posters.ts";
import type { ImageBatch } from "./grid_layout.ts";
import { type ImageJudge, type JudgedDistance, judgeDistance } from "./inception_distance.ts";
import { periodicEnergy } from "./tiling.ts";
import { spreadOverReal } from "./spread.ts";
import { conditionTensor, imageBatch, setConditions } from "./tensors.ts";
import { imagesAtSize, type TrainingSet } from "./prepare.ts";
import { readRunMetadata, runPaths, writeRunMetadata } from "./run.ts";
import { createLog, type Log } from "../util/log.ts";

/** What a measurement depends on besides the generator. */
export interface QualitySettings {
  shape: DcganShape;
  seed: number;
  /** Real and generated posters per Fréchet distance. */
  qualitySamples: number;
  /**
   * How posters are drawn, as `dcgan:sample` draws them: candidates per poster with the classifier that
   * picks (choose_posters.ts) and the truncation; default one candidate of untruncated noise, the
   * generator as trained (what a run's own figures measure).
   */
  sampling?: QualitySampling;
}

/** Candidates per poster, what picks among them, and the truncation factor on the noise. */
export interface QualitySampling extends DrawOptions {
  truncation: number;
}

/** Real-poster statistics measured once per session: features, the floor, and per-genre top-score rates. */
export interface RealReference {
  features: ReturnType<typeof collectOutputs>["features"];
  /**
   * The Fréchet distance between `features` and as many other real posters of the set (two disjoint
   * halves): what a perfect generator would score with these sample counts, since the distance of
   * finite samples is never 0.
   */
  frechetFloor: number;
  /** Condition rows to generate the Fréchet samples with (the real posters' own). */
  sampleConditions: Float32Array[];
  /** CNN genre indices to ask the conditional model for, with decades to pair them with. */
  askedGenres: { cnnIndex: number; decades: number[] }[];
  /**
   * The CNN's top-genre rate on real posters of the asked genres (both halves: `rows` and `floorRows`):
   * mean over genres, and per genre.
   */
  genreHitsReal: number;
  genreHitsRealPerGenre: Record<string, number>;
  /** The real posters' share of energy at the generator's tile frequencies (tiling.ts). */
  periodicEnergy: number;
  /** The set's rows that `features` come from, and the other half the floor compares them with. */
  rows: number[];
  floorRows: number[];
  /**
   * With a CNN that estimates years: its mean estimate for real posters (both halves) of each of
   * {@linkcode DECADE_CHECK}'s decades, and the conditions of those posters (whose genres the generated
   * ones are asked for).
   */
  decades?: { real: [number, number]; conditions: Float32Array[] };
}

/**
 * Measures the real posters once: `qualitySamples` of them (at most half the set) for the distance,
 * and as many others for its floor.
 */
export function realReference(
  cnn: QualityCnn,
  pixels: Uint8Array,
  size: { width: number; height: number },
  conditions: Float32Array[],
  settings: QualitySettings,
): RealReference {
  const count = Math.min(settings.qualitySamples, Math.floor(conditions.length / 2));
  if (count < 2) {
    throw new Error(
      `Quality figures need at least 4 training posters (two halves of 2), the set has ${conditions.length}: ` +
        `prepare a wider selection or train with --no-quality.`,
    );
  }
  const random = seededRandom(settings.seed + 17);
  const shuffled = Array.from({ length: conditions.length }, (_, i) => ({ i, r: random() }))
    .sort((a, b) => a.r - b.r).map((x) => x.i);
  const rows = shuffled.slice(0, count);
  const otherHalf = shuffled.slice(count, 2 * count);
  const outputsOf = (picked: number[]) =>
    collectOutputs(
      cnn,
      picked.length,
      (start, n) => imageBatch(pixels, size, picked.slice(start, start + n)),
    );
  const real = outputsOf(rows);
  let periodic = 0;
  for (let start = 0; start < rows.length; start += 64) {
    const picked = rows.slice(start, start + 64);
    const batch = imageBatch(pixels, size, picked);
    periodic +=
      periodicEnergy(batch.dataSync(), { count: picked.length, ...size }, tilePeriod(settings.shape)) *
      picked.length;
    batch.dispose();
  }
  const floor = outputsOf(otherHalf);
  const frechetFloor = frechetDistance(real.features, floor.features);
  // The real references (genre hits, decades) read both halves: twice the posters of each genre.
  const both = [...rows, ...otherHalf];
  const bothScores = concatenate([real.scores, floor.scores], Float32Array);
  const bothYears = real.years && floor.years
    ? concatenate([real.years, floor.years], Float32Array)
    : undefined;
  // Genres the CNN knows and the set has; the real reference asks the CNN about real posters of each.
  const askedGenres: RealReference["askedGenres"] = [];
  const realAsked: number[] = [];
  const realRows: number[] = [];
  cnn.genres.forEach((genre, cnnIndex) => {
    const g = ALL_GENRES.indexOf(genre as typeof ALL_GENRES[number]);
    const having = both.flatMap((row, k) => conditions[row][g] === 1 ? [k] : []);
    if (g < 0 || having.length < 2) return;
    const decades = having.map((k) => decadeOfCondition(conditions[both[k]]));
    askedGenres.push({ cnnIndex, decades });
    for (const k of having) {
      realAsked.push(cnnIndex);
      realRows.push(k);
    }
  });
  const genres = cnn.genres.length;
  const realScores = new Float32Array(realRows.length * genres);
  realRows.forEach((k, i) => realScores.set(bothScores.subarray(k * genres, (k + 1) * genres), i * genres));
  const realRate = topGenreRate(realScores, realAsked, cnn.genres);
  const decades = bothYears ? realDecades(bothYears, both.map((row) => conditions[row])) : undefined;
  return {
    ...(decades ? { decades } : {}),
    features: real.features,
    frechetFloor: round3(frechetFloor),
    sampleConditions: rows.map((row) => conditions[row]),
    askedGenres,
    genreHitsReal: realRate.rate,
    genreHitsRealPerGenre: realRate.perGenre,
    periodicEnergy: periodic / rows.length,
    rows,
    floorRows: otherHalf,
  };
}

/** The decade of a condition row. */
function decadeOfCondition(condition: Float32Array): number {
  return DECADES[condition.indexOf(1, ALL_GENRES.length) - ALL_GENRES.length];
}

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;

/** The real posters' mean year estimate in each decade of DECADE_CHECK; undefined when one has none. */
function realDecades(years: Float32Array, conditions: Float32Array[]): RealReference["decades"] {
  const [early, late] = DECADE_CHECK.map((decade) =>
    years.filter((_, k) => decadeOfCondition(conditions[k]) === decade)
  );
  if (early.length < 2 || late.length < 2) return undefined;
  return {
    real: [mean(early), mean(late)],
    conditions: conditions.filter((c) => DECADE_CHECK.includes(decadeOfCondition(c))),
  };
}

/**
 * The CNN's mean year estimate for generated posters asked for each decade of DECADE_CHECK: the genres of
 * the real posters of both decades, the same noise for both, only the decade differs.
 */
function decadeEstimates(
  cnn: QualityCnn,
  decades: NonNullable<RealReference["decades"]>,
  generator: tf.LayersModel,
  settings: QualitySettings,
): DecadeEstimates {
  const latent = settings.shape.latentDim;
  const count = decades.conditions.length;
  const candidates = settings.sampling?.candidates ?? 1;
  const noise = tf.randomNormal(
    [candidates * count, latent],
    0,
    1,
    "float32",
    settings.seed + 71,
  ) as tf.Tensor2D;
  const generated = DECADE_CHECK.map((decade) => {
    const rows = decades.conditions.map((condition) => {
      const asked = condition.slice();
      asked.fill(0, ALL_GENRES.length);
      asked[ALL_GENRES.length + DECADES.indexOf(decade as typeof DECADES[number])] = 1;
      return asked;
    });
    const { years } = collectOutputs(
      cnn,
      count,
      (start, n) =>
        tf.tidy(() =>
          drawn(
            generator,
            candidateNoise(tf, noise, count, start, n, candidates),
            conditionTensor(rows, range(start, n)),
            settings,
          )
        ),
    );
    return mean(years!);
  }) as [number, number];
  noise.dispose();
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const realGap = decades.real[1] - decades.real[0];
  return {
    decades: [DECADE_CHECK[0], DECADE_CHECK[1]],
    generated: [r1(generated[0]), r1(generated[1])],
    real: [r1(decades.real[0]), r1(decades.real[1])],
    gapRatio: Math.abs(realGap) > 1e-9
      ? Math.round(((generated[1] - generated[0]) / realGap) * 100) / 100
      : 0,
  };
}

/** The side of the area one cell of the generator's first feature map becomes (2^upsampling steps). */
function tilePeriod(shape: DcganShape): number {
  return 2 ** upsamplingSteps(shape.width, shape.height).steps;
}

const round3 = (x: number) => Math.round(x * 1e3) / 1e3;

/** Added to the run's seed for the fixed noise of the Fréchet samples. */
const NOISE_SEED = 31;

/**
 * The Fréchet distance of a generator's samples (fixed noise) to the real reference, and their
 * periodic energy over the real posters' (see tiling.ts).
 */
function generatorDistance(
  cnn: QualityCnn,
  real: RealReference,
  generator: tf.LayersModel,
  settings: QualitySettings,
  batchStatistics = false,
): { distance: number; tiling: number; features: FeatureSet } {
  let periodic = 0;
  const latent = settings.shape.latentDim;
  const conditional = settings.shape.conditionSize > 0;
  const count = real.sampleConditions.length;
  // The same noise at every checkpoint, so the figures move only because the generator did.
  const candidates = settings.sampling?.candidates ?? 1;
  const noise = tf.randomNormal(
    [candidates * count, latent],
    0,
    1,
    "float32",
    settings.seed + NOISE_SEED,
  ) as tf.Tensor2D;
  const generated = collectOutputs(cnn, count, (start, n) =>
    tf.tidy(() => {
      const z = candidateNoise(tf, noise, count, start, n, candidates);
      const c = conditional ? conditionTensor(real.sampleConditions, range(start, n)) : undefined;
      const images = drawn(generator, z, c, settings, batchStatistics);
      const { width, height } = settings.shape;
      periodic += periodicEnergy(images.dataSync(), { count: n, width, height }, tilePeriod(settings.shape)) *
        n;
      return images;
    }));
  noise.dispose();
  return {
    distance: round3(frechetDistance(real.features, generated.features)),
    tiling: Math.round((periodic / count / Math.max(real.periodicEnergy, 1e-12)) * 100) / 100,
    features: generated.features,
  };
}

/**
 * Quality of `generator` (the one samples come from: the weight average when the run keeps one).
 * `raw`, when given, is the trained generator itself (the same model when there is no average); its
 * distances with moving and with batch statistics are recorded beside, so a run shows what averaging
 * and batch-norm statistics change.
 */
export function measureQuality(
  cnn: QualityCnn,
  real: RealReference,
  generator: tf.LayersModel,
  settings: QualitySettings,
  state: { step: number; epoch: number },
  raw?: tf.LayersModel,
): QualityRecord {
  const { distance, tiling, features } = generatorDistance(cnn, real, generator, settings);
  const decadeSpread = settings.shape.conditionSize > 0
    ? Object.fromEntries(
      spreadOverReal(real.features, features, real.sampleConditions.map(decadeOfCondition)),
    )
    : undefined;
  const figures: QualityRecord = {
    step: state.step,
    epoch: state.epoch,
    cnn: cnn.name,
    frechetDistance: distance,
    frechetFloor: real.frechetFloor,
    frechetOverFloor: Math.round((distance / Math.max(real.frechetFloor, 1e-9)) * 100) / 100,
    realSamples: real.features.count,
    generatedSamples: real.sampleConditions.length,
    tiling,
    ...(decadeSpread ? { decadeSpread } : {}),
  };
  if (raw) {
    figures.frechetVariants = {
      rawMovingStatistics: raw === generator
        ? distance
        : generatorDistance(cnn, real, raw, settings).distance,
      rawBatchStatistics: generatorDistance(cnn, real, raw, settings, true).distance,
      ...(raw === generator ? {} : {
        averageBatchStatistics: generatorDistance(cnn, real, generator, settings, true).distance,
      }),
    };
  }
  if (settings.shape.conditionSize > 0 && real.askedGenres.length) {
    figures.genreHits = genreHits(cnn, real, generator, settings);
  }
  if (settings.shape.conditionSize > 0 && real.decades) {
    figures.decades = decadeEstimates(cnn, real.decades, generator, settings);
  }
  return figures;
}

/**
 * The independent judge's distance (inception_distance.ts) of the generator's Fréchet samples (the same
 * noise and conditions as the CNN's distance) to the same real posters, with its floor against the
 * other half: at the generator's size, `pixels` being the set's posters at that size.
 */
export async function measureIndependent(
  judge: ImageJudge,
  real: RealReference,
  pixels: Uint8Array,
  generator: tf.LayersModel,
  settings: QualitySettings,
): Promise<JudgedDistance> {
  const { width, height, latentDim, conditionSize } = settings.shape;
  const bytes = width * height * 3;
  const pick = (rows: number[]): ImageBatch => {
    const picked = new Uint8Array(rows.length * bytes);
    rows.forEach((row, i) => picked.set(pixels.subarray(row * bytes, (row + 1) * bytes), i * bytes));
    return { count: rows.length, width, height, pixels: picked };
  };
  // The noise and conditions of generatorDistance: the same posters the CNN's distance saw.
  const sampling = settings.sampling;
  const generated = await makePosters(tf, generator, {
    latentDim,
    ...(conditionSize > 0 ? { condition: CONDITION_LAYOUT } : {}),
    ...(sampling?.chooser ? { chooser: sampling.chooser } : {}),
  }, {
    count: real.rows.length,
    seed: settings.seed + NOISE_SEED,
    ...(sampling ? { candidates: sampling.candidates, truncation: sampling.truncation } : {}),
    ...(conditionSize > 0 ? { conditions: real.sampleConditions } : {}),
  });
  return judgeDistance(judge, pick(real.rows), generated, {
    floorReal: pick(real.floorRows),
    label: "dcgan: InceptionV3",
  });
}

/**
 * The generator's posters for `noise` (candidates' rows as choose_posters.ts lays them out) and
 * `conditions`, drawn as `settings.sampling` says; `batchStatistics` (the generator as trained, one
 * candidate each) only without sampling.
 */
function drawn(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  conditions: tf.Tensor2D | undefined,
  settings: QualitySettings,
  batchStatistics = false,
): tf.Tensor4D {
  const sampling = settings.sampling;
  if (!sampling) return generate(generator, noise, conditions, { batchStatistics });
  if (batchStatistics) throw new Error("Batch statistics are measured without sampling settings.");
  return tf.tidy(() => drawPosters(tf, generator, noise.mul(sampling.truncation), conditions, sampling));
}

/** Asks the conditional generator for each genre alone (decades as in real posters of that genre). */
function genreHits(
  cnn: QualityCnn,
  real: RealReference,
  generator: tf.LayersModel,
  settings: QualitySettings,
): GenreHits {
  const perGenre = GENRE_HIT_SAMPLES;
  const asked: number[] = [];
  const conditionRows: Float32Array[] = [];
  for (const { cnnIndex, decades } of real.askedGenres) {
    for (let k = 0; k < perGenre; k++) {
      asked.push(cnnIndex);
      conditionRows.push(conditionVector([cnn.genres[cnnIndex]], decades[k % decades.length]));
    }
  }
  const latent = settings.shape.latentDim;
  const { scores } = collectOutputs(cnn, asked.length, (start, n) =>
    tf.tidy(() => {
      const candidates = settings.sampling?.candidates ?? 1;
      const z = tf.randomNormal([candidates * n, latent], 0, 1, "float32", settings.seed + 53 + start);
      return drawn(generator, z as tf.Tensor2D, conditionTensor(conditionRows, range(start, n)), settings);
    }));
  const rate = topGenreRate(scores, asked, cnn.genres);
  const r = (x: number) => Math.round(x * 1e3) / 1e3;
  return {
    generated: r(rate.rate),
    real: r(real.genreHitsReal),
    realPerGenre: Object.fromEntries(Object.entries(real.genreHitsRealPerGenre).map(([g, v]) => [g, r(v)])),
    chance: r(1 / cnn.genres.length),
    perGenre: Object.fromEntries(Object.entries(rate.perGenre).map(([g, v]) => [g, r(v)])),
  };
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

/**
 * One line for a quality record: `Fréchet distance 1.2 (floor 0.3: 4.0x; tiny CNN, 256 real vs 256
 * generated), asked genre on top 0.31 (real posters 0.45, chance 0.14)`.
 */
export function describeQuality(q: QualityRecord): string {
  const hits = q.genreHits
    ? `, asked genre on top ${q.genreHits.generated} (real posters ${q.genreHits.real}, chance ${q.genreHits.chance})`
    : "";
  const floor = q.frechetFloor === undefined ? "" : `floor ${q.frechetFloor}: ${q.frechetOverFloor}x; `;
  const variants = q.frechetVariants
    ? `; trained generator ${q.frechetVariants.rawMovingStatistics}, with batch statistics ${q.frechetVariants.rawBatchStatistics}`
    : "";
  const tiling = q.tiling === undefined ? "" : `, tiling ${q.tiling}x the real posters'`;
  const spread = q.decadeSpread
    ? `, spread ${
      Object.entries(q.decadeSpread).map(([decade, x]) => `${decade}s ${x}`).join(" ")
    } x the real`
    : "";
  const judged = q.independent
    ? `; InceptionV3 distance ${q.independent.distance} (floor ${q.independent.floor}: ${q.independent.overFloor}x)`
    : "";
  const d = q.decades;
  const decades = d
    ? `, year estimate ${d.decades[0]}s ${d.generated[0]} vs ${d.decades[1]}s ${d.generated[1]} (real ` +
      `${d.real[0]} vs ${d.real[1]}: ${d.gapRatio}x the real gap)`
    : "";
  return `Fréchet distance ${q.frechetDistance} (${floor}${q.cnn} CNN, ${q.realSamples} real vs ${q.generatedSamples} generated${variants})${tiling}${spread}${hits}${decades}${judged}`;
}

/**
 * Measures a finished (or stopped) run again with another CNN, e.g. once a trained genre CNN exists:
 * the untrained generator (rebuilt from the run's seed) and every `generators/epoch_NNN/` snapshot.
 * With `judge`, the last epoch also gets the independent distance ({@linkcode measureIndependent}).
 * Replaces the run's quality records and returns them.
 */
export async function remeasureRun(
  runDir: string,
  set: TrainingSet,
  cnn: QualityCnn,
  qualitySamples: number,
  log: Log = createLog(),
  judge?: ImageJudge,
): Promise<QualityRecord[]> {
  const metadata = await readRunMetadata(runDir);
  if (!metadata) {
    throw new Error(`${runDir} has no metadata.json: train it with deno task dcgan:train first.`);
  }
  if (metadata.dataset.key !== set.key) {
    throw new Error(`${runDir} was trained on ${metadata.dataset.key}; pass --set ${metadata.dataset.key}.`);
  }
  const settings: QualitySettings = { shape: metadata.shape, seed: metadata.training.seed, qualitySamples };
  const pixels = await imagesAtSize(set, metadata.shape);
  const real = realReference(cnn, pixels, metadata.shape, setConditions(set), settings);
  const records: QualityRecord[] = [];
  for (let epoch = 0; epoch <= metadata.epoch; epoch++) {
    const snapshot = runPaths(runDir).epochGenerator(epoch);
    if (epoch > 0) await recoverFolder(snapshot, modelFolderOptions(log));
    const generator = epoch === 0
      ? buildGenerator({ ...metadata.shape, seed: metadata.training.seed })
      : await loadModelFiles(snapshot).catch(() => undefined);
    if (!generator) continue;
    const record = measureQuality(cnn, real, generator, settings, {
      step: epoch * metadata.dataset.stepsPerEpoch,
      epoch,
    });
    if (judge && epoch === metadata.epoch) {
      record.independent = await measureIndependent(judge, real, pixels, generator, settings);
    }
    generator.dispose();
    records.push(record);
    log(`dcgan: epoch ${epoch}: ${describeQuality(record)}`);
  }
  // The floor belongs to the CNN that measured: a new CNN gives the run a new one.
  const frechetFloor = { distance: round3(real.frechetFloor), samples: real.features.count };
  await writeRunMetadata(runDir, { ...metadata, quality: records, frechetFloor });
  return records;
}
