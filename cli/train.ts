/**
 * `deno task train --genres 3|7|14 --ratio 30 --epochs N --version 1|2|3 --min-year 1977 --max-year 2017
 *  [--backend NAME] [--limit N] [--data-dir DIR] [--resume] [--loss bce|cce] [--patience N] [--batch N]`
 *
 * Trains the genre CNN and saves it in saved_models/<name>/ with its training curves. Ctrl-C writes a
 * checkpoint first; `--resume` continues from it. All work is in lib/training; this file reads flags
 * and prints.
 */
import { DATASET_FLAGS, datasetConfigFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import {
  BACKEND_ORDER,
  type BackendName,
  DEFAULT_MODEL,
  type ModelConfig,
  type ModelVersion,
} from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { plotTrainingHistory } from "../lib/plots/training.ts";
import { parseLossName } from "../lib/models/losses.ts";
import { formatDuration } from "../lib/util/progress.ts";
import { trainGenreModel } from "../lib/training/train.ts";
import { TrainingInterrupted } from "../lib/training/fit.ts";

const FLAGS = {
  ...DATASET_FLAGS,
  epochs: { type: "number", help: "passes over the training split", default: DEFAULT_MODEL.epochs },
  version: { type: "number", help: "model version: 1 (3x3), 2 (10% of width), 3 (20%)", default: 1 },
  loss: {
    type: "string",
    help: "bce (binary cross-entropy) or cce (the original's categorical)",
    default: "bce",
  },
  batch: { type: "number", help: "images per step", default: DEFAULT_MODEL.batchSize },
  "learning-rate": { type: "number", help: "RMSprop learning rate", default: DEFAULT_MODEL.learningRate },
  patience: { type: "number", help: "early stopping: epochs without better val_loss (0: off)", default: 0 },
  seed: { type: "number", help: "seed of weights and shuffling", default: DEFAULT_MODEL.seed },
  backend: { type: "string", help: `force a backend: ${BACKEND_ORDER.join(", ")}` },
  resume: { type: "boolean", help: "continue an interrupted run from its checkpoint" },
  "checkpoint-every": {
    type: "number",
    help: "also checkpoint every N batches (0: epoch ends only)",
    default: 100,
  },
} as const;

function modelConfigFromArgs(flags: ReturnType<typeof parseArgs<typeof FLAGS>>): ModelConfig {
  const positiveInteger = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) {
      throw new UsageError(`--${name} needs a positive whole number.`);
    }
    return value;
  };
  const version = flags.version!;
  if (![1, 2, 3].includes(version)) throw new UsageError(`--version must be 1, 2 or 3, got ${version}.`);
  let loss;
  try {
    loss = parseLossName(flags.loss!);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.patience! < 0) throw new UsageError("--patience must be 0 (off) or more.");
  return {
    version: version as ModelVersion,
    epochs: positiveInteger("epochs", flags.epochs!),
    batchSize: positiveInteger("batch", flags.batch!),
    learningRate: flags["learning-rate"]!,
    loss,
    earlyStoppingPatience: flags.patience!,
    seed: flags.seed!,
  };
}

await runCli("Train the poster-genre CNN and save it in saved_models/.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const dataset = datasetConfigFromArgs(flags);
  const model = modelConfigFromArgs(flags);
  const backend = await initBackend(flags.backend as BackendName | undefined);

  // Ctrl-C or a kill: finish the current batch, write a checkpoint, then stop; a second one quits now.
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) Deno.exit(130);
    console.error("\nstopping after this batch (a checkpoint will be written; rerun with --resume)...");
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  try {
    const { dir, metadata, model: trained } = await trainGenreModel(dataset, model, {
      resume: flags.resume,
      checkpointEveryBatches: flags["checkpoint-every"],
      signal: stop.signal,
    });
    trained.dispose();
    const curves = `${dir}/curves.png`;
    await plotTrainingHistory(metadata.history, { title: metadata.name }).writePng(curves);
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
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
});
