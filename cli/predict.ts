/**
 * `deno task predict FILE|URL|DIR ... [--model NAME] [--top 3] [--json] [--explain OUT_DIR]
 *  [--models-dir DIR] [--data-dir DIR] [--timeout 30] [--backend NAME] [--threads N]`
 *
 * The genres of any posters (JPEG, PNG, WebP of any size, every image of a folder, URLs) with a saved
 * model, by default the one with the best validation mAP. A poster that can't be read gets one line
 * on stderr and the others are still predicted; the exit code is 1 when any failed. All work is in
 * lib/inference; this file reads flags and prints.
 */
import { existsSync } from "node:fs";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  MAX_POSTER_FLAG,
  maxPosterBytesFromArgs,
  MODELS_DIR_FLAG,
  parseArgs,
  runCli,
  SHIPPED_DIR_FLAG,
  UsageError,
} from "../lib/cli_args.ts";
import { PREDICT_DEFAULTS } from "../lib/config.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { loadCatalog } from "../lib/dataset/catalog.ts";
import { csvPath } from "../lib/dataset/paths.ts";
import { disposeSavedModel, loadGenreModel } from "../lib/models/saved.ts";
import { Progress } from "../lib/util/progress.ts";
import { chooseModel, describeChoice, skippedLines } from "../lib/inference/best_model.ts";
import { expandSources } from "../lib/inference/sources.ts";
import { formatPosterLine, isFailure, posterJson, predictPosters } from "../lib/inference/predict_posters.ts";

const FLAGS = {
  model: { type: "string", help: "saved model (folder name in --models-dir); default: best validation mAP" },
  ...MODELS_DIR_FLAG,
  ...SHIPPED_DIR_FLAG,
  top: { type: "number", help: "genres shown (and explained) per poster", default: PREDICT_DEFAULTS.top },
  json: { type: "boolean", help: "print a JSON array of {source, genres, year?, rating?} instead of lines" },
  explain: { type: "string", help: "write class-activation overlays (PNG) per poster and top genre here" },
  "data-dir": { type: "string", help: "dataset whose films get [!] marks (default: the model's own)" },
  timeout: {
    type: "number",
    help: "seconds a URL may take, body included",
    default: PREDICT_DEFAULTS.urlTimeoutSeconds,
  },
  ...MAX_POSTER_FLAG,
  ...BACKEND_FLAGS,
} as const;

await runCli("Predict the genres of posters: files, folders or URLs.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS, { positional: true });
  if (flags._.length === 0) {
    throw new UsageError("Give one or more posters: deno task predict FILE|URL|DIR ... (--help for flags).");
  }
  const top = flags.top!;
  if (!Number.isInteger(top) || top < 1) {
    throw new UsageError(`--top needs a positive whole number, got ${top}.`);
  }
  if (!(flags.timeout! > 0)) throw new UsageError(`--timeout needs a positive number of seconds.`);
  const maxBytes = maxPosterBytesFromArgs(flags);
  const sources = await expandSources(flags._);
  const choice = await chooseModel(flags.model, flags["models-dir"], { shipped: flags["shipped-dir"] });
  for (const line of skippedLines(choice)) console.error(line);
  // Lines go to stdout, everything else to stderr, so `--json` output stays parseable.
  const { name: backendName, threads } = backendFromArgs(flags);
  await initBackend(backendName, { threads, log: (line) => console.error(line) });
  const saved = await loadGenreModel(choice.name, choice.root);
  console.error(`model: ${describeChoice(choice)}`);
  const dataDir = flags["data-dir"] ?? saved.metadata.dataset.dataDir;
  const catalog = existsSync(csvPath(dataDir)) ? await loadCatalog(dataDir) : undefined;
  if (!catalog) console.error(`no ${csvPath(dataDir)}: posters are not matched to films (no [!] marks)`);
  // With --json nothing is printed per poster, so a long folder shows a bar (on stderr) instead.
  const progress = flags.json && sources.length > 1
    ? new Progress("predict", sources.length, { unit: "posters" })
    : undefined;
  const results = await predictPosters(saved, sources, {
    top,
    timeoutMs: flags.timeout! * 1000,
    maxBytes,
    catalog,
    explainDir: flags.explain,
    onResult: (result) => {
      progress?.tick();
      if (isFailure(result)) console.error(`error: ${result.error}`);
      else if (!flags.json) console.log(formatPosterLine(result, top));
    },
  });
  progress?.finish();
  disposeSavedModel(saved);
  if (flags.json) console.log(JSON.stringify(results.map(posterJson), null, 2));
  if (flags.explain) {
    const written = results.flatMap((r) => (isFailure(r) ? [] : r.overlays ?? [])).length;
    console.error(`class-activation overlays: ${written} PNG files in ${flags.explain}`);
  }
  const failed = results.filter(isFailure).length;
  if (failed > 0) {
    console.error(`${failed} of ${results.length} posters failed (see above).`);
    Deno.exit(1);
  }
});
