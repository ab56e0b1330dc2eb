/**
 * Transfer learning, measured: a frozen pretrained MobileNetV2 (models/mobilenet_v2.ts) turns each
 * poster into 1280 features once; a small head (dropout, one sigmoid per genre) is trained on them
 * with Adam, and judged on the validation split like the from-scratch models.
 *
 * ```ts
 * import type { GenreData } from "../dataset/types.ts";
 * import { DEFAULT_TRANSFER, transferExperiment } from "./transfer.ts";
 * declare const train: GenreData, validation: GenreData;
 * const result = await transferExperiment(train, validation, DEFAULT_TRANSFER);
 * console.log(result.validation.meanAveragePrecision);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GenreData } from "../dataset/types.ts";
import { multiLabelMetrics } from "../evaluation/metrics.ts";
import type { MultiLabelMetrics } from "../models/metadata.ts";
import { loadMobileNetV2Features, MOBILENET_V2_FEATURES } from "../models/mobilenet_v2.ts";
import { binaryCrossEntropy } from "../models/losses.ts";
import { Progress } from "../util/progress.ts";
import { batchIndices, epochOrder, stepsPerEpoch } from "../training/batches.ts";

/** How the head on the frozen features is trained. */
export interface TransferConfig {
  /** Passes over the training features. */
  epochs: number;
  /** Adam's learning rate. */
  learningRate: number;
  /** Dropout on the features. */
  dropout: number;
  batchSize: number;
  seed: number;
}

/** The head's defaults: cheap to train, so many epochs. */
export const DEFAULT_TRANSFER: TransferConfig = {
  epochs: 30,
  learningRate: 1e-3,
  dropout: 0.3,
  batchSize: 64,
  seed: 42,
};

/** What {@linkcode transferExperiment} measured. */
export interface TransferResult {
  /** Validation metrics of the head after the last epoch (threshold 0.5 for the F1 figures). */
  validation: MultiLabelMetrics;
  /** Validation mAP after each epoch. */
  validationMeanAveragePrecisionByEpoch: number[];
  /** Seconds spent extracting features (train + validation) and training the head. */
  featureSeconds: number;
  headSeconds: number;
}

/** The frozen extractor's features of every poster of `data`, row-major `[count, 1280]`. */
export async function extractFeatures(
  extractor: tf.LayersModel,
  data: GenreData,
  options: { batchSize?: number; progress?: boolean } = {},
): Promise<Float32Array> {
  const count = data.movies.length;
  const batchSize = options.batchSize ?? 32;
  const out = new Float32Array(count * MOBILENET_V2_FEATURES);
  const progress = options.progress === false
    ? undefined
    : new Progress(`features ${data.split}`, count, { unit: "images" });
  for (let from = 0; from < count; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - from) }, (_, k) => from + k);
    const features = tf.tidy(() => extractor.predict(data.images(indices)) as tf.Tensor);
    out.set(await features.data() as Float32Array, from * MOBILENET_V2_FEATURES);
    features.dispose();
    progress?.tick(indices.length);
  }
  progress?.finish();
  return out;
}

/** Extracts features of both splits, trains the head on train, and measures it on validation. */
export async function transferExperiment(
  train: GenreData,
  validation: GenreData,
  config: TransferConfig = DEFAULT_TRANSFER,
  options: { progress?: boolean; log?: (line: string) => void } = {},
): Promise<TransferResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const [, height, width] = train.shape;
  const started = performance.now();
  const extractor = await loadMobileNetV2Features({ height, width });
  const trainFeatures = await extractFeatures(extractor, train, options);
  const validationFeatures = await extractFeatures(extractor, validation, options);
  extractor.dispose();
  const featureSeconds = (performance.now() - started) / 1000;

  const genres = train.genres.length;
  const n = train.movies.length;
  const head = tf.sequential({
    layers: [
      tf.layers.dropout({ inputShape: [MOBILENET_V2_FEATURES], rate: config.dropout }),
      tf.layers.dense({
        units: genres,
        activation: "sigmoid",
        kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed }),
      }),
    ],
  });
  const optimizer = tf.train.adam(config.learningRate);
  const x = tf.tensor2d(trainFeatures, [n, MOBILENET_V2_FEATURES]);
  const y = tf.tensor2d(Float32Array.from(train.labels), [n, genres]);
  const xValidation = tf.tensor2d(validationFeatures, [validation.movies.length, MOBILENET_V2_FEATURES]);
  const byEpoch: number[] = [];
  let probabilities: Float32Array = new Float32Array();
  const headStarted = performance.now();
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const order = epochOrder(n, config.seed, epoch);
    for (let b = 0; b < stepsPerEpoch(n, config.batchSize); b++) {
      const rows = tf.tensor1d(Int32Array.from(batchIndices(order, config.batchSize, b)), "int32");
      const cost = optimizer.minimize(() => {
        const predicted = head.apply(tf.gather(x, rows), { training: true }) as tf.Tensor;
        return binaryCrossEntropy(tf.gather(y, rows), predicted);
      }, true);
      cost?.dispose();
      rows.dispose();
    }
    const predicted = head.predict(xValidation) as tf.Tensor;
    probabilities = await predicted.data() as Float32Array;
    predicted.dispose();
    const metrics = multiLabelMetrics(probabilities, validation.labels, validation.genres, 0.5);
    byEpoch.push(metrics.meanAveragePrecision);
  }
  const headSeconds = (performance.now() - headStarted) / 1000;
  log(`transfer head: ${config.epochs} epochs in ${headSeconds.toFixed(1)} s`);
  tf.dispose([x, y, xValidation]);
  optimizer.dispose();
  head.dispose();
  return {
    validation: multiLabelMetrics(probabilities, validation.labels, validation.genres, 0.5),
    validationMeanAveragePrecisionByEpoch: byEpoch,
    featureSeconds,
    headSeconds,
  };
}
