/**
 * The pretrained branch of a genre model: frozen networks of nsfwjs (mobilenet_v2.ts, inception_v3.ts, built
 * as one by pooled_features.ts) read the poster at the branch's own size, and a small trained head on their
 * pooled features (1,280 for MobileNetV2 alone, 4,352 with InceptionV3) gives a probability
 * per genre and, for a model with regression heads, the same standardised year and rating outputs as
 * the CNN. What a model answers is the blend: per output, `(1 - w) * cnn + w * branch`, with the
 * weights `w` chosen on validation (genre/feature_branch.ts) and stored in metadata.json.
 *
 * The head is saved in the model folder (`feature_head/`, a few kilobytes); the network's weights
 * install with the npm package, so the folder stays small.
 *
 * ```ts
 * import { extractFeatures, headOutputs, loadFeatureExtractor } from "./feature_branch.ts";
 * import type * as tf from "@tensorflow/tfjs";
 * import type { GenreData } from "../dataset/types.ts";
 * declare const head: tf.LayersModel, posters: GenreData; // posters at the branch's size
 * const extractor = await loadFeatureExtractor({ width: 182, height: 268 });
 * const { probabilities, heads } = await headOutputs(head, await extractFeatures(extractor, posters));
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureBranchConfig, FeatureNetwork, Genre, RegressionTarget } from "../config.ts";
import type { ModelOutputs } from "./blend.ts";
import type { GenreData } from "../dataset/types.ts";
import { Progress } from "../util/progress.ts";
import {
  LAST_CONV_OUTPUT,
  loadMobileNetV2,
  loadMobileNetV2Features,
  MOBILENET_V2_FEATURES,
} from "./mobilenet_v2.ts";
import { INCEPTION_V3_BRANCH_BLOCKS, INCEPTION_V3_MIN_SIDE, loadInceptionV3 } from "./inception_v3.ts";
import { pooledFeatures } from "./pooled_features.ts";
import { fromNetworks } from "./nsfwjs.ts";

/** The folder of the branch's head inside a saved model's folder. */
export const FEATURE_HEAD_DIR = "feature_head";

/** The head on the features: dropout, one sigmoid per genre, and one linear unit per regression target. */
export function buildFeatureHead(
  genres: readonly Genre[],
  targets: readonly RegressionTarget[],
  config: Pick<FeatureBranchConfig, "dropout">,
  seed = 42,
  features = MOBILENET_V2_FEATURES,
): tf.LayersModel {
  const input = tf.input({ shape: [features] });
  const dropped = tf.layers.dropout({ rate: config.dropout }).apply(input) as tf.SymbolicTensor;
  const dense = (units: number, name: string, k: number, activation?: "sigmoid") =>
    tf.layers.dense({
      units,
      name,
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }),
    }).apply(dropped) as tf.SymbolicTensor;
  const outputs = [
    dense(genres.length, "feature_genres", 0, "sigmoid"),
    ...targets.map((target, k) => dense(1, `feature_${target}`, k + 1)),
  ];
  return tf.model({ inputs: input, outputs, name: "feature_head" });
}

/**
 * The branch's frozen networks rebuilt for its poster size, as one extractor (pooled_features.ts):
 * MobileNetV2's features, then for `mobilenet_v2+inception_v3` InceptionV3's middle blocks'.
 */
export async function loadFeatureExtractor(
  imageSize: { width: number; height: number },
  network: FeatureNetwork = "mobilenet_v2",
): Promise<tf.LayersModel> {
  if (network === "mobilenet_v2") return await loadMobileNetV2Features(imageSize);
  if (Math.min(imageSize.width, imageSize.height) < INCEPTION_V3_MIN_SIDE) {
    throw new Error(
      `InceptionV3 needs posters of at least ${INCEPTION_V3_MIN_SIDE} pixels a side, got ` +
        `${imageSize.width}x${imageSize.height}: give the branch a ratio of 42 or more.`,
    );
  }
  return await fromNetworks([loadMobileNetV2(), loadInceptionV3()], (mobileNet, inception) =>
    pooledFeatures(
      [
        { network: mobileNet, layers: [LAST_CONV_OUTPUT] },
        { network: inception, layers: INCEPTION_V3_BRANCH_BLOCKS, prefix: "inception_" },
      ],
      imageSize,
      "branch_features",
    ));
}

/** The pooled features of every poster of `data`, row-major `[count, features]`, a batch at a time. */
export async function extractFeatures(
  extractor: tf.LayersModel,
  data: GenreData,
  options: { batchSize?: number; progress?: boolean } = {},
): Promise<Float32Array> {
  const count = data.movies.length;
  const batchSize = options.batchSize ?? 32;
  const width = extractor.outputs[0].shape[1]!;
  const out = new Float32Array(count * width);
  const progress = options.progress === false
    ? undefined
    : new Progress(`features ${data.split}`, count, { unit: "images" });
  for (let from = 0; from < count; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - from) }, (_, k) => from + k);
    const features = tf.tidy(() => extractor.predict(data.images(indices)) as tf.Tensor);
    out.set(await features.data() as Float32Array, from * width);
    features.dispose();
    progress?.tick(indices.length);
  }
  progress?.finish();
  return out;
}

/** The head's outputs (dropout off) for row-major `[n, features]` features. */
export async function headOutputs(head: tf.LayersModel, features: Float32Array): Promise<ModelOutputs> {
  const width = head.inputs[0].shape[1]!;
  const x = tf.tensor2d(features, [features.length / width, width]);
  const outputs = head.predict(x);
  const [genres, ...heads] = Array.isArray(outputs) ? outputs : [outputs];
  try {
    return {
      probabilities: await genres.data() as Float32Array,
      heads: await Promise.all(heads.map(async (t) => await t.data() as Float32Array)),
    };
  } finally {
    tf.dispose([x, genres, ...heads]);
  }
}

/**
 * The frozen network for `imageSize` as the files a browser's `tf.loadLayersModel` reads: model.json
 * (naming `weights.bin`) and the float32 weights, built in memory (the page of `serve` gets them so).
 */
export async function extractorFiles(
  imageSize: { width: number; height: number },
  network?: FeatureNetwork,
): Promise<{ modelJson: Uint8Array; weights: Uint8Array }> {
  const extractor = await loadFeatureExtractor(imageSize, network);
  let files: { modelJson: Uint8Array; weights: Uint8Array } | undefined;
  try {
    await extractor.save(tf.io.withSaveHandler((artifacts) => {
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : new Uint8Array();
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: new TextEncoder().encode(JSON.stringify(json)), weights };
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }));
  } finally {
    extractor.dispose();
  }
  return files!;
}
