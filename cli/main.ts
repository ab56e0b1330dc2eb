/**
 * `deno task main [--from DIR | --download] [--quick] [train flags...]`: the whole job in one command.
 *
 * 1. data: import the dataset folder given by --from (or fetch posters with --download; with neither,
 *    use what data/ already holds) and resize the posters for --ratio (what `deno task data` does);
 * 2. train: train the recommended model (lib/config.ts RECOMMENDED_MODEL_VERSION), or what the train
 *    flags ask for (`--version 1 --epochs 2` is the original's network), as `deno task train` does;
 *    Ctrl-C writes a checkpoint and stops (exit 130), `--resume` continues;
 * 3. evaluate: run the model just trained on the test split and print the predictions, as
 *    `deno task evaluate --model NAME` does.
 *
 * `--quick` is a smoke run of the same steps on a few hundred posters for 2 epochs (lib/config.ts
 * QUICK_RUN). The flags are those of `deno task train` (lib/cli_args.ts TRAIN_FLAGS), all checked
 * before the first step; the steps are library calls in this one process.
 */
import { dirname } from "node:path";
import {
  backendFromArgs,
  DATA_SOURCE_FLAGS,
  datasetConfigFromArgs,
  maxPosterBytesFromArgs,
  modelConfigFromArgs,
  parseArgs,
  runCli,
  TRAIN_FLAGS,
  trainGenreCommand,
  trainOptionsFromArgs,
  UsageError,
} from "../lib/cli_args.ts";
import { QUICK_RUN } from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { datasetSummaryLines, prepareDataset } from "../lib/dataset/prepare.ts";
import { evaluateSavedModel } from "../lib/evaluation/evaluate.ts";
import { cnnRunPaths, refuseToReplace } from "../lib/genre/train.ts";
import { evaluationLines } from "../lib/plots/evaluation_tables.ts";

const FLAGS = {
  ...DATA_SOURCE_FLAGS,
  quick: {
    type: "boolean",
    help: `smoke run: --limit ${QUICK_RUN.limit} --epochs ${QUICK_RUN.epochs} unless given (a minute or two)`,
  },
  ...TRAIN_FLAGS,
} as const;

/** Prints a step's heading (on stderr, beside the progress bars). */
function heading(step: string, what: string): void {
  console.error(`\n=== ${step}: ${what}`);
}

await runCli(
  "Import the data, train the genre CNN and evaluate the model just trained.\n" +
    "Takes every flag of `deno task train` (see `deno task train --help`).",
  FLAGS,
  async () => {
    const given = parseArgs(Deno.args, FLAGS);
    if (given.from && given.download) throw new UsageError("Give --from DIR or --download, not both.");
    // --quick: QUICK_RUN's settings where no flag gives them.
    const flags = given.quick
      ? { ...given, limit: given.limit ?? QUICK_RUN.limit, epochs: given.epochs ?? QUICK_RUN.epochs }
      : given;
    const dataset = datasetConfigFromArgs(flags);
    const model = modelConfigFromArgs(flags);
    const { name: backendName, threads } = backendFromArgs(flags);
    const trainOptions = trainOptionsFromArgs(flags);
    // A saved model of the same name stops the job before the data step, not after it.
    if (!trainOptions.force) await refuseToReplace(cnnRunPaths(dataset, model, trainOptions).modelDir);
    const { dataDir, minYear, maxYear, ratio } = dataset;

    const source = flags.from
      ? `import ${flags.from} into ${dataDir}`
      : flags.download
      ? `download the missing posters into ${dataDir}`
      : `the posters in ${dataDir}`;
    heading("1/3 data", `${source}, resized for ratio ${ratio} (${minYear}-${maxYear})`);
    const catalog = await prepareDataset(dataDir, {
      from: flags.from,
      download: flags.download,
      maxBytes: maxPosterBytesFromArgs(flags),
      ratios: [ratio],
      minYear,
      maxYear,
    });
    for (const line of datasetSummaryLines(catalog, minYear, maxYear)) console.log(line);

    heading(
      "2/3 train",
      `version ${model.version}, ${model.epochs} epochs` +
        (dataset.limit !== undefined ? `, at most ${dataset.limit} posters per split` : ""),
    );
    const backend = await initBackend(backendName, { threads });
    const trained = await trainGenreCommand(dataset, model, trainOptions, backend.name);

    const { name } = trained.metadata;
    heading("3/3 evaluate", `${name} on the test split of ${dataDir}`);
    const evaluation = await evaluateSavedModel(name, {
      dataDir,
      split: "test",
      savedModelsDir: dirname(trained.dir),
    });
    for (const line of evaluationLines(evaluation)) console.log(line);
  },
);
