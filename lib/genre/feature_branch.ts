/**
 * Training a genre model's pretrained branch (models/feature_branch.ts), after its CNN: the frozen
 * networks turn each training and validation poster into pooled features once, a head learns genres
 * (and year and rating) from them with Adam, and the blend weights are chosen on validation: the
 * genre weight by mean average precision, each head's by mean absolute error. With the config's
 * `refit`, the head then trains again on the training and validation features together.
 *
 * ```ts
 * import { DEFAULT_FEATURE_BRANCH } from "../config.ts";
 * import type { GenreData } from "../dataset/types.ts";
 * import type { ModelOutputs } from "../models/blend.ts";
 * import { trainFeatureBranch } from "./feature_branch.ts";
 * declare const train: GenreData, validation: GenreData, cnnValidation: ModelOutputs;
 * const { head, blend } = await trainFeatureBranch(train, validation, cnnValidation, DEFAULT_FEATURE_BRANCH);
 * console.log(blend.genreWeight, blend.validation.blend.meanAveragePrecision);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BLEND_WEIGHTS, FEATURE_NETWORK_NAMES, type FeatureBranchConfig, imageSize } from "../config.ts";
import type { GenreData, Movie } from "../dataset/types.ts";
import { branchFeatures } from "../evaluation/predict.ts";
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import {
  type BlendFigures,
  blendOutputs,
  type BranchBlend,
  mix,
  type ModelOutputs,
} from "../models/blend.ts";
import { buildFeatureHead, headOutputs, loadFeatureExtractor } from "../models/feature_branch.ts";
import { binaryCrossEntropy } from "../models/losses.ts";
import { headTargets, maskedHuber, meanAbsoluteError } from "../models/regression_heads.ts";
import { regressionHeads, type RegressionScalings, unscale } from "../models/targets.ts";
import { batchIndices, epochOrder, stepsPerEpoch } from "../training/batches.ts";
import { concatenate } from "../util/arrays.ts";
import { formatDuration } from "../util/progress.ts";
import type { Log } from "../util/log.ts";

/** What {@linkcode trainFeatureBranch} returns. */
export interface BranchTraining {
  /** The trained head (the caller saves and disposes it). */
  head: tf.LayersModel;
  /** The weights chosen on validation and the figures behind them. */
  blend: BranchBlend;
  /** The blended outputs on the validation split (what the threshold is then chosen on). */
  validation: ModelOutputs;
}

/** Options of {@linkcode trainFeatureBranch}. */
export interface BranchOptions {
  /** The CNN's regression targets and their scaling: the head learns the same standardised outputs. */
  regression?: RegressionScalings;
  seed?: number;
  log?: Log;
  progress?: boolean;
}

/** Trains the branch of a CNN trained on `train` whose validation outputs are `cnnValidation`. */
export async function trainFeatureBranch(
  train: GenreData,
  validation: GenreData,
  cnnValidation: ModelOutputs,
  config: FeatureBranchConfig,
  options: BranchOptions = {},
): Promise<BranchTraining> {
  const log = options.log ?? ((line: string) => console.error(line));
  const started = performance.now();
  const size = imageSize(config.ratio);
  const extractor = await loadFeatureExtractor(size, config.network);
  let trainFeatures: Float32Array, validationFeatures: Float32Array;
  try {
    trainFeatures = await branchFeatures(extractor, train, config.ratio, options);
    validationFeatures = await branchFeatures(extractor, validation, config.ratio, options);
  } finally {
    extractor.dispose();
  }
  log(
    `branch: ${FEATURE_NETWORK_NAMES[config.network].name} features of ${
      train.movies.length + validation.movies.length
    } posters at ` +
      `${size.width}x${size.height} in ${formatDuration((performance.now() - started) / 1000)}`,
  );
  return await fitBranch(
    { features: trainFeatures, data: train },
    { features: validationFeatures, data: validation },
    cnnValidation,
    config,
    { ...options, log },
  );
}

/** A split's pooled branch features (row-major `[n, features]`) and its films. */
export interface BranchSplit {
  features: Float32Array;
  data: Pick<GenreData, "movies" | "labels" | "genres">;
}

/**
 * The head on features already extracted: trained on `train`, the blend chosen on `validation`, then,
 * with `config.refit`, the head trained again on both splits with the same settings (the returned
 * blend and validation outputs are still the first head's: those are the ones the choices saw).
 */
export async function fitBranch(
  train: BranchSplit,
  validation: BranchSplit,
  cnnValidation: ModelOutputs,
  config: FeatureBranchConfig,
  options: Pick<BranchOptions, "regression" | "seed" | "log"> = {},
): Promise<BranchTraining> {
  const log = options.log ?? ((line: string) => console.error(line));
  const size = imageSize(config.ratio);
  let head = await trainFeatureHead(train.features, train.data, config, options);
  const branch = await headOutputs(head, validation.features);
  const blend = chooseBlend(validation.data, cnnValidation, branch, config, size, options.regression);
  log(
    `branch: validation mAP ${blend.validation.branch.meanAveragePrecision.toFixed(3)} alone, ` +
      `${blend.validation.blend.meanAveragePrecision.toFixed(3)} blended at weight ${blend.genreWeight} ` +
      `(the CNN ${blend.validation.cnn.meanAveragePrecision.toFixed(3)})`,
  );
  if (config.refit) {
    head.dispose();
    const both = joinSplits(train, validation);
    head = await trainFeatureHead(both.features, both.data, config, options);
    log(`branch: head trained again on the ${both.data.movies.length} training and validation posters`);
  }
  return {
    head,
    blend,
    validation: blendOutputs(cnnValidation, branch, blend),
  };
}

/** Two splits' features and films, one after the other. */
function joinSplits(a: BranchSplit, b: BranchSplit): BranchSplit {
  return {
    features: concatenate([a.features, b.features], Float32Array),
    data: {
      movies: [...a.data.movies, ...b.data.movies],
      labels: concatenate([a.data.labels, b.data.labels], Uint8Array),
      genres: a.data.genres,
    },
  };
}

/**
 * Trains a head on row-major `[n, features]` features of `data`'s films: binary cross-entropy on the genres
 * plus each regression target's masked Huber loss, with Adam.
 */
export async function trainFeatureHead(
  features: Float32Array,
  data: Pick<GenreData, "movies" | "labels" | "genres">,
  config: FeatureBranchConfig,
  options: Pick<BranchOptions, "regression" | "seed"> = {},
): Promise<tf.LayersModel> {
  const seed = options.seed ?? 42;
  const targets = regressionHeads(options.regression);
  const n = data.movies.length;
  const width = features.length / n;
  const head = buildFeatureHead(data.genres, targets, config, seed, width);
  const x = tf.tensor2d(features, [n, width]);
  const y = tf.tensor2d(Float32Array.from(data.labels), [n, data.genres.length]);
  const optimizer = tf.train.adam(config.learningRate);
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = epochOrder(n, seed, epoch);
      for (let b = 0; b < stepsPerEpoch(n, config.batchSize); b++) {
        const picked = batchIndices(order, config.batchSize, b);
        const movies: Movie[] = Array.from(picked, (i) => data.movies[i]);
        const rows = tf.tensor1d(Int32Array.from(picked), "int32");
        const cost = optimizer.minimize(() => {
          const applied = head.apply(tf.gather(x, rows), { training: true }) as tf.Tensor | tf.Tensor[];
          const outputs = Array.isArray(applied) ? applied : [applied];
          let loss = binaryCrossEntropy(tf.gather(y, rows), outputs[0]);
          targets.forEach((target, k) => {
            const { values, mask } = headTargets(movies, target, options.regression!);
            loss = tf.add(loss, maskedHuber(values, outputs[k + 1], mask, config.huberDelta));
          });
          return loss;
        }, true);
        cost?.dispose();
        rows.dispose();
      }
      await tf.nextFrame?.();
    }
    return head;
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
  }
}

/** The blend weights that validation prefers among {@linkcode BLEND_WEIGHTS}, with their figures. */
export function chooseBlend(
  validation: Pick<GenreData, "movies" | "labels" | "genres">,
  cnn: ModelOutputs,
  branch: ModelOutputs,
  config: FeatureBranchConfig,
  size: { width: number; height: number },
  regression?: RegressionScalings,
): BranchBlend {
  const targets = regressionHeads(regression);
  const map = (probabilities: Float32Array) =>
    multiLabelMetrics(probabilities, validation.labels, validation.genres, 0.5).meanAveragePrecision;
  const mae = (k: number, values: Float32Array) => {
    const scaling = regression![targets[k]]!;
    return meanAbsoluteError(validation.movies, targets[k], values.map((v) => unscale(scaling, v))).mae;
  };
  const best = (score: (weight: number) => number, better: (a: number, b: number) => boolean) =>
    BLEND_WEIGHTS.reduce((chosen, weight) => better(score(weight), score(chosen)) ? weight : chosen);
  const genreWeight = best((w) => map(mix(cnn.probabilities, branch.probabilities, w)), (a, b) => a > b);
  const headWeights = targets.map((_, k) =>
    best((w) => mae(k, mix(cnn.heads[k], branch.heads[k], w)), (a, b) => a < b)
  );
  const figures = (outputs: ModelOutputs): BlendFigures => ({
    meanAveragePrecision: map(outputs.probabilities),
    mae: Object.fromEntries(targets.map((target, k) => [target, mae(k, outputs.heads[k])])),
  });
  const blended = blendOutputs(cnn, branch, { genreWeight, headWeights });
  return {
    config,
    imageSize: size,
    genreWeight,
    headWeights,
    validation: { cnn: figures(cnn), branch: figures(branch), blend: figures(blended) },
  };
}
