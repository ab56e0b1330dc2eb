/**
 * `deno task evaluate [--model NAME] [--data-dir DIR] [--split test|validation|train|all] [--backend NAME]
 *  [--threads N] [--sample N] [--models-dir DIR] [--test-time-mirror[=false]]`
 *
 * Runs every saved model (or one) on a split (default test) of its dataset folder or of `--data-dir`
 * (`MovieGenre.csv` and `posters/` are enough: posters are resized on the way), stores test metrics of
 * the model's own folder in its metadata.json, and prints the model against the frequency baseline,
 * per-genre figures, and predictions in the original project's format. All work is in lib/evaluation;
 * this file reads flags and prints.
 */
import {
  BACKEND_FLAGS,
  backendFromArgs,
  MODELS_DIR_FLAG,
  parseArgs,
  runCli,
  UsageError,
} from "../lib/cli_args.ts";
import { DEFAULT_EVALUATION_SAMPLE } from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { evaluateSavedModels, EVALUATION_SPLITS, type EvaluationSplit } from "../lib/evaluation/evaluate.ts";
import { evaluationLines } from "../lib/plots/evaluation_tables.ts";

const FLAGS = {
  model: { type: "string", help: "evaluate only this saved model (folder name in --models-dir)" },
  "data-dir": {
    type: "string",
    help: "evaluate on this folder (MovieGenre.csv + posters/ is enough) instead of the model's own",
  },
  split: { type: "string", help: `which posters: ${EVALUATION_SPLITS.join(", ")}`, default: "test" },
  ...BACKEND_FLAGS,
  ...MODELS_DIR_FLAG,
  sample: {
    type: "number",
    help: "posters of the judged split to print predictions for",
    default: DEFAULT_EVALUATION_SAMPLE,
  },
  "test-time-mirror": {
    type: "boolean",
    help: "average each poster with its mirror image, or not (=false), whatever the model does; " +
      "figures judged otherwise than it answers are not stored",
  },
} as const;

await runCli("Evaluate saved models on a split (default test).", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const split = flags.split as EvaluationSplit;
  if (!EVALUATION_SPLITS.includes(split)) {
    throw new UsageError(`--split must be one of ${EVALUATION_SPLITS.join(", ")}, got "${split}".`);
  }
  const { name, threads } = backendFromArgs(flags);
  await initBackend(name, { threads });
  const results = await evaluateSavedModels(flags.model, {
    dataDir: flags["data-dir"],
    split,
    sampleSize: flags.sample,
    savedModelsDir: flags["models-dir"],
    testTimeMirror: flags["test-time-mirror"],
  });
  for (const evaluation of results) {
    for (const line of evaluationLines(evaluation)) console.log(line);
  }
});
