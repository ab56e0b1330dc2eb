/**
 * `deno task train --genres 3|7|14 --ratio 30 --epochs N --version 1|2|3 --min-year 1977 --max-year 2017
 *  [--backend NAME] [--threads N] [--limit N] [--data-dir DIR] [--resume] [--loss bce|cce] [--patience N]
 *  [--batch N] [--optimizer rmsprop|adamw] [--weight-decay W] [--schedule constant|cosine] [--warmup EPOCHS]
 *  [--augment] [--mirror] [--dropout P] [--saved-models DIR] [--targets genres,year,rating]`
 *
 * `--version 4` starts from the v4 recipe (lib/config.ts RECIPE_V4); any flag given overrides it.
 *
 * Trains the genre CNN and saves it in saved_models/<name>/ with its training curves. Ctrl-C writes a
 * checkpoint first; `--resume` continues from it. All work is in lib/training; this file reads flags
 * and prints.
 */
import {
  BACKEND_FLAGS,
  backendFromArgs,
  DATASET_FLAGS,
  datasetConfigFromArgs,
  parseArgs,
  runCli,
  UsageError,
} from "../lib/cli_args.ts";
import {
  DEFAULT_AUGMENT,
  DEFAULT_CHECKPOINT_EVERY_BATCHES,
  DEFAULT_MODEL,
  MODEL_VERSIONS,
  type ModelConfig,
  modelDefaults,
  type ModelVersion,
  SAVED_MODELS_DIR,
} from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { plotTrainingHistory } from "../lib/plots/training.ts";
import { LOSS_SHORT_NAMES, parseLossName } from "../lib/models/losses.ts";
import { formatDuration } from "../lib/util/progress.ts";
import { trainGenreModel } from "../lib/genre/train.ts";
import { TrainingInterrupted } from "../lib/training/run.ts";
import { stopOnInterrupt } from "../lib/util/interrupt.ts";
import { parseTargets } from "../lib/models/targets.ts";

const V4 = modelDefaults(4);

const FLAGS = {
  ...DATASET_FLAGS,
  epochs: {
    type: "number",
    help: `passes over the training split (default ${DEFAULT_MODEL.epochs}; ${V4.epochs} for v4)`,
  },
  version: {
    type: "number",
    help: "model version: 1 (3x3), 2 (10% of width), 3 (20%), 4 (the modern recipe)",
    default: DEFAULT_MODEL.version,
  },
  targets: {
    type: "list",
    help: "what the model predicts: genres, plus year and/or rating (regression heads)",
    default: ["genres"],
  },
  loss: {
    type: "string",
    help: "bce (binary cross-entropy) or cce (the original's categorical)",
    default: LOSS_SHORT_NAMES[DEFAULT_MODEL.loss],
  },
  batch: { type: "number", help: "images per step", default: DEFAULT_MODEL.batchSize },
  "learning-rate": {
    type: "number",
    help: `learning rate (default ${DEFAULT_MODEL.learningRate}; ${V4.learningRate} peak for v4)`,
  },
  optimizer: { type: "string", help: "rmsprop or adamw (default rmsprop; adamw for v4)" },
  "weight-decay": { type: "number", help: `AdamW's decoupled weight decay (v4: ${V4.weightDecay})` },
  schedule: { type: "string", help: "constant, or cosine with warm-up (default constant; cosine for v4)" },
  warmup: { type: "number", help: `warm-up epochs of the cosine schedule (v4: ${V4.warmupEpochs})` },
  augment: { type: "boolean", help: "random shifts, zoom and colour changes (default off; on for v4)" },
  mirror: { type: "boolean", help: "with --augment: also mirror left-right at random" },
  dropout: { type: "number", help: `v4: dropout before the output layer (${V4.dropout})` },
  patience: {
    type: "number",
    help: "early stopping: epochs without better val_loss (0: off)",
    default: DEFAULT_MODEL.earlyStoppingPatience,
  },
  seed: { type: "number", help: "seed of weights and shuffling", default: DEFAULT_MODEL.seed },
  ...BACKEND_FLAGS,
  resume: { type: "boolean", help: "continue an interrupted run from its checkpoint" },
  "saved-models": { type: "string", help: "folder the model is saved in", default: SAVED_MODELS_DIR },
  "checkpoint-every": {
    type: "number",
    help: "also checkpoint every N batches (0: epoch ends only)",
    default: DEFAULT_CHECKPOINT_EVERY_BATCHES,
  },
} as const;

function modelConfigFromArgs(flags: ReturnType<typeof parseArgs<typeof FLAGS>>): ModelConfig {
  const positiveInteger = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) {
      throw new UsageError(`--${name} needs a positive whole number.`);
    }
    return value;
  };
  const nonNegative = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0)) throw new UsageError(`--${name} must be 0 or more.`);
    return value;
  };
  const version = flags.version!;
  if (!(MODEL_VERSIONS as readonly number[]).includes(version)) {
    throw new UsageError(`--version must be ${MODEL_VERSIONS.join(", ")}, got ${version}.`);
  }
  const defaults = modelDefaults(version as ModelVersion);
  let loss;
  try {
    loss = parseLossName(flags.loss!);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.patience! < 0) throw new UsageError("--patience must be 0 (off) or more.");
  let targets;
  try {
    targets = parseTargets(flags.targets!);
  } catch (error) {
    throw new UsageError(`--targets: ${(error as Error).message}`);
  }
  const optimizer = flags.optimizer ?? defaults.optimizer;
  if (optimizer !== undefined && optimizer !== "rmsprop" && optimizer !== "adamw") {
    throw new UsageError(`--optimizer must be rmsprop or adamw, got ${optimizer}.`);
  }
  const schedule = flags.schedule ?? defaults.schedule;
  if (schedule !== undefined && schedule !== "constant" && schedule !== "cosine") {
    throw new UsageError(`--schedule must be constant or cosine, got ${schedule}.`);
  }
  if (schedule === "cosine" && optimizer !== "adamw") {
    throw new UsageError("--schedule cosine needs --optimizer adamw.");
  }
  const augmenting = flags.augment ?? (defaults.augment !== undefined || flags.mirror === true);
  const augment = augmenting
    ? {
      ...(defaults.augment ?? DEFAULT_AUGMENT),
      ...(flags.mirror !== undefined ? { mirror: flags.mirror } : {}),
    }
    : undefined;
  const dropout = nonNegative("dropout", flags.dropout) ?? defaults.dropout;
  if (dropout !== undefined && dropout >= 1) throw new UsageError("--dropout must be below 1.");
  const config: ModelConfig = {
    ...defaults,
    epochs: positiveInteger("epochs", flags.epochs ?? defaults.epochs),
    batchSize: positiveInteger("batch", flags.batch!),
    learningRate: nonNegative("learning-rate", flags["learning-rate"]) ?? defaults.learningRate,
    loss,
    earlyStoppingPatience: flags.patience!,
    seed: flags.seed!,
    ...(targets.length ? { targets } : {}),
    optimizer,
    weightDecay: nonNegative("weight-decay", flags["weight-decay"]) ?? defaults.weightDecay,
    schedule,
    warmupEpochs: nonNegative("warmup", flags.warmup) ?? defaults.warmupEpochs,
    augment,
    dropout,
  };
  // Absent settings stay absent, so a v1-3 config reads as it did before they existed.
  for (const key of Object.keys(config) as (keyof ModelConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return config;
}

await runCli("Train the poster-genre CNN and save it in saved_models/.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const dataset = datasetConfigFromArgs(flags);
  const model = modelConfigFromArgs(flags);
  const { name: backendName, threads } = backendFromArgs(flags);
  const backend = await initBackend(backendName, { threads });

  // Ctrl-C or a kill: finish the current batch, write a checkpoint, then stop; a second one quits now.
  const stop = stopOnInterrupt(
    "stopping after this batch (a checkpoint will be written; rerun with --resume)...",
  );

  try {
    const { dir, metadata, model: trained } = await trainGenreModel(dataset, model, {
      resume: flags.resume,
      savedModelsDir: flags["saved-models"],
      checkpointEveryBatches: flags["checkpoint-every"],
      signal: stop.signal,
    });
    trained.dispose();
    const curves = `${dir}/curves.png`;
    await plotTrainingHistory(metadata.history, { title: metadata.name, keptEpoch: metadata.bestEpoch })
      .writePng(curves);
    const { timings } = metadata;
    console.log(`saved ${dir} (backend ${backend.name})`);
    console.log(`  training curves: ${curves}`);
    console.log(
      `  ${metadata.splitCounts.train} training posters, ${metadata.history.length} epochs, ` +
        `${formatDuration(timings.trainSeconds)} of training steps, ${
          timings.imagesPerSecond.toFixed(1)
        } images/s`,
    );
    console.log(
      `  validation threshold ${metadata.threshold}; evaluate: deno task evaluate --model ${metadata.name}`,
    );
  } catch (error) {
    if (error instanceof TrainingInterrupted) {
      console.error(error.message);
      Deno.exit(130);
    }
    throw error;
  } finally {
    stop.dispose();
  }
});
