/**
 * `deno task card --model NAME [--models-dir DIR] [--data-dir DIR] [--command "..."] [--commit REV]`
 *
 * Evaluates a saved model on the test split and writes its model card (data, split rule, recipe,
 * command and commit, test figures per genre beside the baseline, year and rating errors,
 * calibration, limits, licence notes) into the model's folder as MODEL_CARD.md. The work is in
 * lib/report/model_card.ts.
 */
import {
  BACKEND_FLAGS,
  backendFromArgs,
  MODELS_DIR_FLAG,
  parseArgs,
  runCli,
  UsageError,
} from "../lib/cli_args.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { codeVersion } from "../lib/report/provenance.ts";
import { writeModelCard } from "../lib/report/model_card.ts";

const FLAGS = {
  model: { type: "string", help: "the saved model (folder name in --models-dir)" },
  ...MODELS_DIR_FLAG,
  "data-dir": { type: "string", help: "judge it on this dataset folder (default: the model's own)" },
  command: {
    type: "string",
    help: "the command that trained it, for the card",
    default: "./run main --from ../shared/data/movie-posters",
  },
  commit: { type: "string", help: "the commit of the code that trained it (default: the checked-out one)" },
  ...BACKEND_FLAGS,
} as const;

await runCli("Write a saved model's card (MODEL_CARD.md) from its test evaluation.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (!flags.model) throw new UsageError("Name the model: --model NAME (see deno task compare).");
  const commit = flags.commit ?? (await codeVersion()).commit?.slice(0, 7) ?? "unknown";
  const { name, threads } = backendFromArgs(flags);
  await initBackend(name, { threads });
  const { path, evaluation } = await writeModelCard(flags.model, {
    modelsDir: flags["models-dir"]!,
    dataDir: flags["data-dir"],
    trainedBy: { command: flags.command!, commit },
  });
  console.log(
    `${path}: test mAP ${evaluation.test.model.meanAveragePrecision.toFixed(3)}, the original's accuracy ` +
      `${(100 * evaluation.test.model.originalAccuracy).toFixed(1)}% on ${evaluation.posters} posters`,
  );
});
