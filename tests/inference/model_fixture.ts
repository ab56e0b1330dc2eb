/**
 * A small untrained genre CNN saved as `deno task train` saves one, for the inference tests.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_DATASET, DEFAULT_FEATURE_BRANCH, DEFAULT_MODEL, imageSize } from "../../lib/config.ts";
import type { BranchBlend } from "../../lib/models/blend.ts";
import { buildFeatureHead } from "../../lib/models/feature_branch.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import { withRegressionHeads } from "../../lib/models/regression_heads.ts";
import { type SavedModelMetadata, saveGenreModel } from "../../lib/models/saved.ts";
import type { EpochRecord } from "../../lib/models/metadata.ts";
import { fixtureModelMetadata } from "../fixtures.ts";

/** Options of {@linkcode saveFixtureModel}. */
export interface FixtureModelOptions {
  /** Dataset folder recorded in the metadata (default `data`). */
  dataDir?: string;
  /** Poster ratio (default 10: 18x27, quick on the cpu backend). */
  ratio?: number;
  /** Validation mAP of each epoch (default one epoch at 0.3). */
  validationMaps?: number[];
  /** Seed of the weights (default 42). */
  seed?: number;
  /** Add year and rating heads (scaled as if the training mean were 2000 ± 10 years and 6.5 ± 1). */
  heads?: boolean;
  /**
   * Add an untrained pretrained branch reading posters at this ratio (at least 18: MobileNetV2 strides
   * by 32), blended at weight 0.5 (0.25 for the heads).
   */
  branchRatio?: number;
  /** Answer with each poster averaged with its mirror image (`model.testTimeMirror`). */
  testTimeMirror?: boolean;
}

/** Saves an untrained 7-genre model as `root/<name>/`; returns its metadata. */
export async function saveFixtureModel(
  root: string,
  name: string,
  options: FixtureModelOptions = {},
): Promise<SavedModelMetadata> {
  const ratio = options.ratio ?? 10;
  const { width, height } = imageSize(ratio);
  const dataset = { ...DEFAULT_DATASET, dataDir: options.dataDir ?? "data", ratio };
  const history: EpochRecord[] = (options.validationMaps ?? [0.3]).map((map, i) => ({
    epoch: i + 1,
    loss: 0.6,
    validationLoss: 0.6 - i * 0.01,
    validationMeanAveragePrecision: map,
    validationOriginalAccuracy: 0.3,
    trainSeconds: 1,
    imagesPerSecond: 10,
  }));
  const targets = options.heads ? ["year", "rating"] as const : [];
  const branch = options.branchRatio === undefined ? undefined : {
    config: { ...DEFAULT_FEATURE_BRANCH, network: "mobilenet_v2" as const, ratio: options.branchRatio },
    imageSize: imageSize(options.branchRatio),
    genreWeight: 0.5,
    headWeights: targets.map(() => 0.25),
    validation: Object.fromEntries(
      ["cnn", "branch", "blend"].map((part) => [part, { meanAveragePrecision: 0.3, mae: {} }]),
    ) as BranchBlend["validation"],
  };
  const metadata: SavedModelMetadata = {
    ...fixtureModelMetadata(name, dataset, {
      backend: tf.getBackend(),
      history,
      ...(options.testTimeMirror ? { model: { ...DEFAULT_MODEL, testTimeMirror: true } } : {}),
    }),
    ...(options.heads
      ? { regression: { year: { mean: 2000, std: 10 }, rating: { mean: 6.5, std: 1 } } }
      : {}),
    ...(branch ? { blend: branch } : {}),
  };
  const base = buildGenreCnn({ height, width, genres: 7, version: 1, seed: options.seed });
  const model = options.heads ? withRegressionHeads(base, [...targets], options.seed) : base;
  const head = branch ? buildFeatureHead(metadata.genres, targets, { dropout: 0 }, options.seed) : undefined;
  await saveGenreModel(model, metadata, root, undefined, head);
  model.dispose();
  head?.dispose();
  return metadata;
}

/**
 * Damages a saved model's weights.bin as a diverged training or a broken copy would: `nan` writes a NaN
 * over its `index`-th float32 weight (default 10), `truncate` cuts the file to its first half, `huge`
 * makes every weight ±3e38, signs mixed (finite, but the outputs overflow to NaN).
 */
export async function damageFixtureModel(
  dir: string,
  how: "nan" | "truncate" | "huge",
  index = 10,
): Promise<void> {
  const path = `${dir}/weights.bin`;
  const bytes = await Deno.readFile(path);
  if (how === "truncate") {
    await Deno.writeFile(path, bytes.slice(0, Math.floor(bytes.length / 8) * 4));
    return;
  }
  const view = new DataView(bytes.buffer);
  if (how === "nan") view.setFloat32(index * 4, NaN, true);
  else {for (let i = 0; i < bytes.length / 4; i++) {
      view.setFloat32(i * 4, Math.sin(i) > 0 ? 3e38 : -3e38, true);
    }}
  await Deno.writeFile(path, bytes);
}
