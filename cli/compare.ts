/**
 * `deno task compare [--evaluate] [--backend NAME] [--models-dir DIR]`
 *
 * Prints every saved model side by side: version, loss, optimizer, ratio, training posters, epochs,
 * training time, backend, and the test mAP, the original's accuracy and macro F1 stored by
 * `deno task evaluate`. `--evaluate` first evaluates the models that have no test figures yet. A model
 * whose files are damaged is marked in the table and named below it with what is wrong.
 * All work is in lib/evaluation; this file reads flags and prints.
 */
import { BACKEND_FLAGS, backendFromArgs, MODELS_DIR_FLAG, parseArgs, runCli } from "../lib/cli_args.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { comparisonRows } from "../lib/evaluation/compare.ts";
import { comparisonRowsTable } from "../lib/plots/comparison_table.ts";
import { evaluateSavedModel } from "../lib/evaluation/evaluate.ts";

const FLAGS = {
  evaluate: { type: "boolean", help: "first evaluate the models without test figures" },
  ...BACKEND_FLAGS,
  ...MODELS_DIR_FLAG,
} as const;

await runCli("Print the saved models side by side.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const root = flags["models-dir"]!;
  const report = (name: string, error: Error) => console.error(`left out ${name}: ${error.message}`);
  let rows = await comparisonRows(root, report);
  if (rows.length === 0) throw new Error(`No saved models in ${root}: train one with deno task train.`);
  const pending = rows.filter((r) => r.testMeanAveragePrecision === undefined && !r.problems);
  if (flags.evaluate && pending.length) {
    const { name, threads } = backendFromArgs(flags);
    await initBackend(name, { threads });
    for (const row of pending) {
      console.error(`evaluating ${row.name}`);
      await evaluateSavedModel(row.name, { savedModelsDir: root });
    }
    rows = await comparisonRows(root, report);
  }
  console.log(comparisonRowsTable(rows).text());
  const damaged = rows.filter((r) => r.problems);
  if (damaged.length) {
    console.log(`\n${damaged.length} damaged model(s), not used by predict, evaluate or serve:`);
    for (const r of damaged) console.log(`  ${r.name}: ${r.problems!.join("; ")}`);
    console.log("Delete each folder and train the model again, or restore it from a backup.");
  }
  const missing = rows.filter((r) => r.testMeanAveragePrecision === undefined && !r.problems).length;
  if (missing) {
    console.log(
      `\n${missing} model(s) not evaluated yet: deno task compare --evaluate (or deno task evaluate).`,
    );
  }
});
