/**
 * `deno task evaluate [--model NAME] [--data-dir DIR] [--split test|validation|train|all] [--backend NAME]
 *  [--threads N] [--sample N] [--saved-models DIR]`
 *
 * Runs every saved model (or one) on a split (default test) of its dataset folder or of `--data-dir`
 * (`MovieGenre.csv` and `posters/` are enough: posters are resized on the way), stores test metrics of
 * the model's own folder in its metadata.json, and prints the model against the frequency baseline,
 * per-genre figures, and predictions in the original project's format. All work is in lib/evaluation;
 * this file reads flags and prints.
 */
import { BACKEND_FLAGS, backendFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { DEFAULT_EVALUATION_SAMPLE, SAVED_MODELS_DIR } from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { evaluateSavedModels, EVALUATION_SPLITS, type EvaluationSplit } from "../lib/evaluation/evaluate.ts";
import { namedTitleLines } from "../lib/evaluation/named_lines.ts";
import { comparisonTable, perGenreTable } from "../lib/plots/evaluation_tables.ts";

const FLAGS = {
  model: { type: "string", help: "evaluate only this saved model (folder name in saved_models/)" },
  "data-dir": {
    type: "string",
    help: "evaluate on this folder (MovieGenre.csv + posters/ is enough) instead of the model's own",
  },
  split: { type: "string", help: `which posters: ${EVALUATION_SPLITS.join(", ")}`, default: "test" },
  ...BACKEND_FLAGS,
  "saved-models": { type: "string", help: "folder of saved models", default: SAVED_MODELS_DIR },
  sample: {
    type: "number",
    help: "posters of the judged split to print predictions for",
    default: DEFAULT_EVALUATION_SAMPLE,
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
    savedModelsDir: flags["saved-models"],
  });
  for (const { name, test, named, sample, posters } of results) {
    const what = split === "all" ? "all splits" : `${split} split`;
    console.log(
      `\n== ${name} ==  (${posters.toLocaleString("en-US")} posters judged: ${what} of ${test.dataDir}, ` +
        `${test.imagesPerSecond.toFixed(0)} images/s)`,
    );
    console.log(comparisonTable(test).text());
    console.log();
    console.log(perGenreTable(test).text());
    for (const [target, r] of Object.entries(test.regression ?? {})) {
      const unit = target === "year" ? " years" : " points";
      console.log(
        `${target}: mean absolute error ${r.mae.toFixed(2)}${unit}; baseline (the training mean, ` +
          `${r.baseline.toFixed(1)}) ${r.baselineMae.toFixed(2)}${unit}; ${r.count} test posters`,
      );
    }
    console.log("\nThe original's named titles ([!]: the film doesn't have that genre; split in brackets):");
    for (const line of namedTitleLines(named)) console.log(line);
    console.log(`\nA sample of ${split === "all" ? "test" : split} posters:`);
    for (const line of sample) console.log(line);
  }
});
