/**
 * `deno task evaluate [--model NAME] [--data-dir DIR] [--backend NAME] [--sample N]`
 *
 * Runs every saved model (or one) on the test split, stores the test metrics in its metadata.json,
 * and prints the model against the frequency baseline, per-genre figures, and predictions in the
 * original project's format. All work is in lib/evaluation; this file reads flags and prints.
 */
import { parseArgs, runCli } from "../lib/cli_args.ts";
import { BACKEND_ORDER, type BackendName } from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { evaluateSavedModels } from "../lib/evaluation/evaluate.ts";
import { comparisonTable, perGenreTable } from "../lib/plots/evaluation_tables.ts";

const FLAGS = {
  model: { type: "string", help: "evaluate only this saved model (folder name in saved_models/)" },
  "data-dir": { type: "string", help: "evaluate on this dataset folder instead of the model's own" },
  backend: { type: "string", help: `force a backend: ${BACKEND_ORDER.join(", ")}` },
  sample: { type: "number", help: "test posters to print predictions for", default: 12 },
} as const;

await runCli("Evaluate saved models on the test split.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  await initBackend(flags.backend as BackendName | undefined);
  const results = await evaluateSavedModels(flags.model, {
    dataDir: flags["data-dir"],
    sampleSize: flags.sample,
  });
  for (const { name, test, named, sample } of results) {
    console.log(
      `\n== ${name} ==  (test split of ${test.dataDir}, ${test.imagesPerSecond.toFixed(0)} images/s)`,
    );
    console.log(comparisonTable(test).text());
    console.log();
    console.log(perGenreTable(test).text());
    console.log("\nThe original's named titles ([!]: the film doesn't have that genre; split in brackets):");
    let section = "";
    for (const p of named) {
      if (p.expected !== section) console.log(` -- ${(section = p.expected)} -- `);
      console.log(p.line ? `${p.line}  (${p.split})` : `${p.title}: ${p.missing}`);
    }
    console.log(`\nA sample of test posters:`);
    for (const line of sample) console.log(line);
  }
});
