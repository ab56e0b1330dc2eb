/**
 * How good generated posters are, measured with the project's own genre CNN (no download):
 *
 * - Fréchet distance between real and generated posters on the features the CNN.s genre output reads
 *   (FID's recipe with our CNN instead of Inception; lower is better, 0 for identical statistics).
 * - For the conditional model: how often the CNN gives the asked genre its top score, next to the
 *   same rate on real posters of that genre (what a perfect generator would reach) and chance.
 *
 * Figures are only comparable between runs measured with the same CNN and sample counts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buildGenreCnn } from "../models/cnn.ts";
import { listSavedModels, loadGenreModel } from "../models/saved.ts";
import { FALLBACK_QUALITY_CNN, genreGroup, imageSize, SHIPPED_MODELS_DIR } from "../config.ts";
import { regressionHeads, type TargetScaling, unscale } from "../models/targets.ts";
import { concatenate } from "../util/arrays.ts";
import type { FeatureSet } from "./frechet.ts";
import type { JudgedDistance } from "./inception_distance.ts";

/** The CNN that quality is measured with: penultimate-layer features and genre scores in one pass. */
export interface QualityCnn {
  /** Saved model name, or `untrained` for the random-weight fallback. */
  name: string;
  /** Its genres, in output order. */
  genres: string[];
  /** Input size. */
  height: number;
  width: number;
  /** Outputs [features, genre scores], and the standardised year estimate when {@linkcode year} is set. */
  model: tf.LayersModel;
  /** The year head's scaling, when the CNN has one: generated decades are judged by it. */
  year?: TargetScaling;
}

/** Per-checkpoint quality figures, stored in the run's metadata.json. */
export interface QualityRecord {
  step: number;
  epoch: number;
  /** CNN used (see {@linkcode QualityCnn.name}). */
  cnn: string;
  /** Fréchet distance, real vs generated (lower is better). */
  frechetDistance: number;
  /** The same distance between two disjoint halves of the real training posters: the best reachable. */
  frechetFloor?: number;
  /** `frechetDistance / frechetFloor` (the goal: 2 or less). */
  frechetOverFloor?: number;
  /**
   * The trained generator's own distance (the same as `frechetDistance` without a weight average),
   * sampled with batch norm's moving statistics (as `predict` does) and with each batch's statistics.
   */
  frechetVariants?: {
    rawMovingStatistics: number;
    rawBatchStatistics: number;
    /** The weight average with batch statistics (runs that keep one). */
    averageBatchStatistics?: number;
  };
  realSamples: number;
  generatedSamples: number;
  /**
   * Energy at the generator's tile frequencies, generated over real (tiling.ts): 1 is the posters'
   * own amount, well above 1 a visible grid of repeated blobs or a checkerboard.
   */
  tiling?: number;
  /**
   * Conditional model: each decade's spread of features over the real posters' of that decade
   * (spread.ts), by decade ("1980": 0.9): well below 1 means that decade is drawn as few posters
   * whatever the noise, which the distance over all decades hides.
   */
  decadeSpread?: Record<string, number>;
  /** Conditional model only. */
  genreHits?: GenreHits;
  /**
   * The independent judge's distance (InceptionV3, lib/gan/inception_distance.ts) with its own floor:
   * at the end of a run that asks for it (`dcgan:train --inception`), on the same posters.
   */
  independent?: JudgedDistance;
  /** Conditional model measured with a CNN that has a year head. */
  decades?: DecadeEstimates;
}

/**
 * The CNN's mean year estimate for posters asked for an early and a late decade (the same noise and
 * genres, only the decade differs), beside its estimate for real posters of those decades.
 */
export interface DecadeEstimates {
  /** The two decades compared, as first years (e.g. [1980, 2000]). */
  decades: [number, number];
  generated: [number, number];
  real: [number, number];
  /** (late - early) on generated posters over the same gap on real ones: 1 tells decades apart as well. */
  gapRatio: number;
}

/** How often the CNN's top genre is the asked one. */
export interface GenreHits {
  /** Mean over the genres asked. */
  generated: number;
  /** The same on real posters having the genre (an upper reference). */
  real: number;
  /** 1 / number of CNN genres. */
  chance: number;
  /** Rate on generated posters, per asked genre. */
  perGenre: Record<string, number>;
  /** Rate on real posters, per genre (records from before it was kept lack it). */
  realPerGenre?: Record<string, number>;
}

/**
 * The CNN for quality figures: the saved model `name`, else the first saved one, else the first model
 * shipped with posterlab (`shippedRoot`), else an untrained (random-weight, seeded) genre CNN
 * ({@linkcode FALLBACK_QUALITY_CNN}), whose features still give a consistent, if weaker, distance.
 */
export async function loadQualityCnn(
  name?: string,
  root?: string,
  shippedRoot: string = SHIPPED_MODELS_DIR,
): Promise<QualityCnn> {
  const names = name ? [name] : await listSavedModels(root);
  const shipped = names.length ? [] : await listSavedModels(shippedRoot);
  let base: tf.LayersModel;
  let genres: string[];
  let cnnName: string;
  let year: TargetScaling | undefined;
  let yearOutput: number | undefined;
  if (names.length > 0 || shipped.length > 0) {
    const saved = names.length
      ? await loadGenreModel(names[0], root, undefined, { branch: false })
      : await loadGenreModel(shipped[0], shippedRoot, undefined, { branch: false });
    base = saved.model;
    genres = saved.metadata.genres;
    cnnName = saved.metadata.name;
    const heads = regressionHeads(saved.metadata.regression);
    if (heads.includes("year")) {
      year = saved.metadata.regression!.year;
      yearOutput = 1 + heads.indexOf("year");
    }
  } else {
    const { width, height } = imageSize(FALLBACK_QUALITY_CNN.ratio);
    genres = genreGroup(FALLBACK_QUALITY_CNN.genres);
    base = buildGenreCnn({
      height,
      width,
      genres: genres.length,
      version: FALLBACK_QUALITY_CNN.version,
      seed: FALLBACK_QUALITY_CNN.seed,
    });
    cnnName = "untrained";
  }
  // The features are what the genre output's dense layer reads: the penultimate dense layer (through
  // dropout, the identity at inference) in v1-v3, the global average pool in v4.
  const outputLayer = base.outputs[0].sourceLayer;
  if (outputLayer.getClassName() !== "Dense") {
    throw new Error(`Genre CNN ${cnnName} does not end in a dense layer.`);
  }
  const features = outputLayer.input as tf.SymbolicTensor;
  const outputs = [features, base.outputs[0]];
  if (yearOutput !== undefined) outputs.push(base.outputs[yearOutput]);
  const model = tf.model({ inputs: base.inputs, outputs });
  const [, height, width] = base.inputs[0].shape as number[];
  return { name: cnnName, genres, height, width, model, ...(year ? { year } : {}) };
}

/** What the CNN reads from a batch: features, genre scores, and year estimates when it has a year head. */
export interface CnnOutputs {
  features: Float32Array;
  scores: Float32Array;
  years?: Float32Array;
}

/** CNN outputs for a batch of images in [-1, 1] (any size; resized to the CNN's): features and genre scores. */
export function cnnOutputs(cnn: QualityCnn, images: tf.Tensor4D): CnnOutputs {
  const outputs = tf.tidy(() => {
    const unit = images.add(1).div(2) as tf.Tensor4D;
    const resized = tf.image.resizeBilinear(unit, [cnn.height, cnn.width]);
    return cnn.model.predict(resized) as tf.Tensor[];
  });
  const [features, scores, year] = outputs;
  const result: CnnOutputs = {
    features: features.dataSync() as Float32Array,
    scores: scores.dataSync() as Float32Array,
  };
  if (year && cnn.year) result.years = (year.dataSync() as Float32Array).map((v) => unscale(cnn.year!, v));
  tf.dispose(outputs);
  return result;
}

/** Runs `make(start, count)` in chunks and collects the CNN outputs of every image. */
export function collectOutputs(
  cnn: QualityCnn,
  total: number,
  make: (start: number, count: number) => tf.Tensor4D,
  chunk = 32,
): { features: FeatureSet; scores: Float32Array; years?: Float32Array } {
  const featureChunks: Float32Array[] = [];
  const scoreChunks: Float32Array[] = [];
  const yearChunks: Float32Array[] = [];
  for (let start = 0; start < total; start += chunk) {
    const images = make(start, Math.min(chunk, total - start));
    const out = cnnOutputs(cnn, images);
    images.dispose();
    featureChunks.push(out.features);
    scoreChunks.push(out.scores);
    if (out.years) yearChunks.push(out.years);
  }
  const dim = featureChunks[0].length / Math.min(chunk, total);
  return {
    features: { count: total, dim, values: concatenate(featureChunks, Float32Array) },
    scores: concatenate(scoreChunks, Float32Array),
    ...(yearChunks.length ? { years: concatenate(yearChunks, Float32Array) } : {}),
  };
}

/** Index of the largest of `genres` scores in row `row`. */
function topGenre(scores: Float32Array, row: number, genres: number): number {
  let best = 0;
  for (let g = 1; g < genres; g++) if (scores[row * genres + g] > scores[row * genres + best]) best = g;
  return best;
}

/**
 * Share of rows whose top genre is `asked[row]` (an index into the CNN's genres), overall and per
 * asked genre.
 */
export function topGenreRate(
  scores: Float32Array,
  asked: readonly number[],
  genres: readonly string[],
): { rate: number; perGenre: Record<string, number> } {
  const hits = new Map<number, [number, number]>();
  let total = 0;
  asked.forEach((genre, row) => {
    const hit = topGenre(scores, row, genres.length) === genre ? 1 : 0;
    const [h, n] = hits.get(genre) ?? [0, 0];
    hits.set(genre, [h + hit, n + 1]);
    total += hit;
  });
  const perGenre: Record<string, number> = {};
  for (const [genre, [h, n]] of hits) perGenre[genres[genre]] = h / n;
  const rates = Object.values(perGenre);
  // The mean over genres, so that Drama's many posters don't hide the others.
  return { rate: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : total, perGenre };
}
