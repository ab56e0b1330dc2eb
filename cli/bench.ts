/**
 * `deno task bench [--json] [--only NAME,...] [--backend NAME,...] [--ratio 30,60] [--batch 32] [--quick]`
 *
 * Runs every benchmark suite in one process, one after another, so the figures sit side by side
 * from the same run on the same machine.
 */
import type { BenchOptions, BenchRecord, BenchSuite } from "../bench/types.ts";
import { DEFAULT_DATASET } from "../lib/config.ts";
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";

// Each suite lives in bench/<name>.ts and exports `suite`.
const SUITE_MODULES = ["../bench/data_load.ts", "../bench/cnn.ts", "../bench/dcgan.ts", "../bench/cdcgan.ts"];

const FLAGS = {
  json: { type: "boolean", help: "print the records as a JSON array (progress stays on stderr)" },
  only: {
    type: "list",
    help:
      "suites to run: data-load, cnn, dcgan (the paper's 64x64), cdcgan (the recommended conditional run)",
  },
  backend: {
    type: "list",
    help:
      "backends to measure (default: every one that loads; cdcgan: the one training picks); pytorch: the peer",
  },
  ratio: { type: "list", help: "poster ratios", default: ["30", "60"] },
  batch: { type: "number", help: "images per step", default: 32 },
  "data-dir": { type: "string", help: "dataset folder (data-load suite)", default: DEFAULT_DATASET.dataDir },
  quick: { type: "boolean", help: "fewer steps and smaller DCGANs (a smoke test, not figures)" },
} as const;

await runCli("Measure speed and memory of data loading, the genre CNN and the DCGANs.", FLAGS, main);

async function main(): Promise<void> {
  const flags = parseArgs(Deno.args, FLAGS);
  const json = flags.json ?? false;
  const options: BenchOptions = {
    backends: flags.backend ?? [],
    ratios: flags.ratio!.map(Number),
    batch: flags.batch!,
    dataDir: flags["data-dir"]!,
    quick: flags.quick ?? false,
  };
  if (options.ratios.some((r) => !Number.isFinite(r) || r <= 0)) {
    throw new UsageError(`--ratio needs percents such as 30,60, got ${flags.ratio!.join(",")}.`);
  }
  const only = flags.only ?? [];

  // Every suite's code is loaded before any runs, so a long run measures one version of the code.
  const suites = await Promise.all(
    SUITE_MODULES.map(async (path) => ((await import(path)) as { suite: BenchSuite }).suite),
  );
  const unknown = only.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length) {
    throw new UsageError(
      `--only ${unknown.join(",")}: no such suite; use ${suites.map((s) => s.name).join(", ")}.`,
    );
  }
  const records: BenchRecord[] = [];
  for (const suite of suites) {
    if (only.length && !only.includes(suite.name)) continue;
    if (!json) console.error(`# ${suite.name}`);
    const result = await suite.run(options);
    records.push(...result);
    if (!json) {
      for (const r of result) {
        console.log(
          `${r.task.padEnd(12)} ${r.backend.padEnd(10)} ratio ${String(r.ratio).padStart(3)} batch ${
            String(r.batch).padStart(3)
          }  ${r.imagesPerSecond.toFixed(1).padStart(8)} images/s  peak ${
            r.peakRssMiB.toFixed(0).padStart(6)
          } MiB${r.note ? "  " + r.note : ""}`,
        );
      }
    }
  }
  if (json) console.log(JSON.stringify(records, null, 2));
}
