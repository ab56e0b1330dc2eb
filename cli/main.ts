/**
 * `deno task main [--from DIR | --download] [--quick] [train flags...]`: the whole job in one command.
 *
 * 1. `data`: import the dataset folder given by --from (or fetch posters with --download; with
 *    neither, use what data/ already holds) and resize the posters for --ratio;
 * 2. `train`: train the recommended model, version 4 (lib/config.ts RECIPE_V4), or what the remaining
 *    flags ask for (`--version 1 --epochs 2` is the original's network);
 * 3. `evaluate`: run the model just trained on the test split and print the predictions.
 *
 * `--quick` is a smoke run of the same steps on a few hundred posters for 2 epochs.
 * Each step is the `deno task` of the same name, so this file only passes flags along.
 */
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { DEFAULT_DATASET, QUICK_RUN } from "../lib/config.ts";

const OWN_FLAGS = {
  from: { type: "string", help: "import this folder (MovieGenre.csv + posters/) first" },
  download: { type: "boolean", help: "download missing posters from the CSV's URLs first" },
  quick: {
    type: "boolean",
    help: `smoke run: --limit ${QUICK_RUN.limit} --epochs ${QUICK_RUN.epochs} (a minute or two)`,
  },
} as const;

/**
 * Runs `deno run -A cli/<script> ...args`, stopping the pipeline when it fails; returns its standard
 * output (also printed), which the train step ends with the saved model's folder.
 */
async function step(title: string, script: string, args: string[]): Promise<string> {
  console.error(`\n=== ${title}: deno task ${script.replace(/\.ts$/, "")} ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `cli/${script}`, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  const { code } = await child.status;
  if (code !== 0) throw new Error(`step "${title}" failed (exit code ${code}); see its message above.`);
  return text;
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
    if (flagValue(trainArgs, "version") === undefined) trainArgs.push("--version", "4");
    if (own.quick) {
      for (const [name, value] of Object.entries(QUICK_RUN)) {
        if (flagValue(trainArgs, name) === undefined) trainArgs.push(`--${name}`, String(value));
      }
    }
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
    const trained = await step("2/3 train", "train.ts", trainArgs);
    const name = trained.match(/^saved \S*?([^/\s]+) \(backend/m)?.[1];
    if (!name) throw new Error("The train step did not say which model it saved; see its output above.");
    const passOn = ["backend", "saved-models"].flatMap((flag) => {
      const value = flagValue(trainArgs, flag);
      return value ? [`--${flag}`, value] : [];
    });
    await step("3/3 evaluate", "evaluate.ts", ["--model", name, "--data-dir", dataDir, ...passOn]);
  },
);

/** Whether args[i] is one of main's own flags (or the value of --from). */
function isOwn(args: string[], i: number): boolean {
  const arg = args[i];
  if (arg === "--download" || arg === "--quick" || arg === "--from" || arg.startsWith("--from=")) return true;
  return args[i - 1] === "--from";
}
