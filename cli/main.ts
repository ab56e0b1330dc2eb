/**
 * `deno task main [--from DIR | --download] [train flags...]`: the whole job in one command.
 *
 * 1. `data`: import the dataset folder given by --from (or fetch posters with --download; with
 *    neither, use what data/ already holds) and resize the posters for --ratio;
 * 2. `train`: train the genre CNN with the remaining flags (defaults: 7 genres, ratio 30, 2 epochs);
 * 3. `evaluate`: run every saved model on the test split and print the predictions.
 *
 * Each step is the `deno task` of the same name, so this file only passes flags along.
 */
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { DEFAULT_DATASET } from "../lib/config.ts";

const OWN_FLAGS = {
  from: { type: "string", help: "import this folder (MovieGenre.csv + posters/) first" },
  download: { type: "boolean", help: "download missing posters from the CSV's URLs first" },
} as const;

/** Runs `deno run -A cli/<script> ...args`, stopping the pipeline when it fails. */
async function step(title: string, script: string, args: string[]): Promise<void> {
  console.error(`\n=== ${title}: deno task ${script.replace(/\.ts$/, "")} ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `cli/${script}`, ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`step "${title}" failed (exit code ${code}); see its message above.`);
}

/** The value of `--name` in args, or undefined. */
function flagValue(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
}

await runCli(
  "Import the data, train the genre CNN and evaluate every saved model.\n" +
    "Flags other than these go to `deno task train` (see `deno task train --help`).",
  OWN_FLAGS,
  async () => {
    const own = parseArgs(Deno.args.filter((_, i, all) => isOwn(all, i)), OWN_FLAGS);
    if (own.from && own.download) throw new UsageError("Give --from DIR or --download, not both.");
    const trainArgs = Deno.args.filter((_, i, all) => !isOwn(all, i));
    const dataDir = flagValue(trainArgs, "data-dir") ?? DEFAULT_DATASET.dataDir;
    const ratio = flagValue(trainArgs, "ratio") ?? String(DEFAULT_DATASET.ratio);
    const years = ["min-year", "max-year"].flatMap((name) => {
      const value = flagValue(trainArgs, name);
      return value ? [`--${name}`, value] : [];
    });

    const dataArgs = ["--data-dir", dataDir, "--resize", ratio, ...years];
    if (own.from) dataArgs.unshift("--from", own.from);
    if (own.download) dataArgs.unshift("--download");
    await step("1/3 data", "data.ts", dataArgs);
    await step("2/3 train", "train.ts", trainArgs);
    await step("3/3 evaluate", "evaluate.ts", ["--data-dir", dataDir]);
  },
);

/** Whether args[i] is one of main's own flags (or the value of --from). */
function isOwn(args: string[], i: number): boolean {
  const arg = args[i];
  if (arg === "--download" || arg === "--from" || arg.startsWith("--from=")) return true;
  return args[i - 1] === "--from";
}
