/**
 * `deno task transfer [--ratio 30] [--limit N] [--epochs 30] [--learning-rate 1e-3] [--backend NAME]`
 *
 * The transfer-learning measurement: nsfwjs's bundled MobileNetV2 as a frozen feature extractor plus a
 * trained sigmoid head (the pretrained branch of the recommended model, alone), scored on the validation split (compare with the `val_mAP` of `deno task
 * train`). Chooses nothing on test. All work is in lib/genre/transfer.ts; this file reads flags and
 * prints.
 */
import {
  BACKEND_FLAGS,
  backendFromArgs,
  DATASET_FLAGS,
  datasetConfigFromArgs,
  parseArgs,
  runCli,
} from "../lib/cli_args.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { loadGenreData } from "../lib/dataset/load.ts";
import { DEFAULT_FEATURE_BRANCH } from "../lib/config.ts";
import { transferExperiment } from "../lib/genre/transfer.ts";

const FLAGS = {
  ...DATASET_FLAGS,
  epochs: {
    type: "number",
    help: "passes of the head over the features",
    default: DEFAULT_FEATURE_BRANCH.epochs,
  },
  "learning-rate": {
    type: "number",
    help: "Adam's rate for the head",
    default: DEFAULT_FEATURE_BRANCH.learningRate,
  },
  ...BACKEND_FLAGS,
} as const;

await runCli(
  "Measure a frozen MobileNetV2 (from nsfwjs) + head on the validation split.",
  FLAGS,
  async () => {
    const flags = parseArgs(Deno.args, FLAGS);
    const dataset = datasetConfigFromArgs(flags);
    const { name, threads } = backendFromArgs(flags);
    await initBackend(name, { threads });
    const train = await loadGenreData(dataset, "train", { resize: true });
    const validation = await loadGenreData(dataset, "validation", { resize: true });
    const result = await transferExperiment(train, validation, {
      ...DEFAULT_FEATURE_BRANCH,
      epochs: flags.epochs!,
      learningRate: flags["learning-rate"]!,
    });
    const v = result.validation;
    console.log(
      `MobileNetV2 (nsfwjs, frozen) + sigmoid head, ${train.movies.length} training posters at ratio ` +
        `${dataset.ratio} (${train.shape[2]}x${train.shape[1]}):`,
    );
    console.log(
      `  validation (${v.count} posters): mAP ${v.meanAveragePrecision.toFixed(3)}, ROC AUC ` +
        `${v.meanRocAuc.toFixed(3)}, accuracy (original's) ${(v.originalAccuracy * 100).toFixed(1)}%`,
    );
    console.log(
      `  features ${result.featureSeconds.toFixed(0)} s, head ${result.headSeconds.toFixed(0)} s`,
    );
  },
);
