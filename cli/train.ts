/**
 * `deno task train --genres 3|7|14 --ratio 30 --epochs N --version 1|2|3|4 --min-year 1977 --max-year 2017
 *  [--backend NAME] [--threads N] [--limit N] [--data-dir DIR] [--resume] [--loss bce|cce] [--patience N]
 *  [--batch N] [--optimizer rmsprop|adamw] [--weight-decay W] [--schedule constant|cosine] [--warmup EPOCHS]
 *  [--augment] [--mirror] [--dropout P] [--models-dir DIR] [--targets genres,year,rating] [--seed N]
 *  [--name NAME] [--force]`
 *
 * Trains the recommended version (lib/config.ts RECOMMENDED_MODEL_VERSION: 4, the RECIPE_V4 recipe)
 * unless `--version` says otherwise (`--version 1` is the original project's network); every setting
 * starts from the version's defaults and any flag given overrides it (lib/cli_args.ts MODEL_FLAGS).
 *
 * Trains the genre CNN and saves it in saved_models/<name>/ with its training curves. Ctrl-C writes a
 * checkpoint first; `--resume` continues from it. A saved model of the same name is refused before
 * anything loads (`--force` replaces it, `--name NAME` saves under another name); a run folder another
 * process trains in is refused too. All work is in lib/genre; this file reads flags and prints.
 */
import {
  backendFromArgs,
  datasetConfigFromArgs,
  modelConfigFromArgs,
  parseArgs,
  runCli,
  TRAIN_FLAGS,
  trainGenreCommand,
  trainOptionsFromArgs,
} from "../lib/cli_args.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { cnnRunPaths, refuseToReplace } from "../lib/genre/train.ts";

await runCli("Train the poster-genre CNN and save it in saved_models/.", TRAIN_FLAGS, async () => {
  const flags = parseArgs(Deno.args, TRAIN_FLAGS);
  const dataset = datasetConfigFromArgs(flags);
  const model = modelConfigFromArgs(flags);
  const { name: backendName, threads } = backendFromArgs(flags);
  const options = trainOptionsFromArgs(flags);
  if (!options.force) await refuseToReplace(cnnRunPaths(dataset, model, options).modelDir);
  const backend = await initBackend(backendName, { threads });

  await trainGenreCommand(dataset, model, options, backend.name);
});
