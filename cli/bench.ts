/**
 * `deno task bench [--json] [--only NAME,...] [--backend NAME,...] [--ratio 30,60] [--batch 32] [--quick]`
 *
 * Runs every benchmark suite in one process, one after another, so the figures sit side by side
 * from the same run on the same machine.
 */
import type { BenchOptions, BenchRecord, BenchSuite } from "../bench/types.ts";

// Each suite lives in bench/<name>.ts and exports `suite`.
const SUITE_MODULES = ["../bench/data_load.ts", "../bench/cnn.ts", "../bench/dcgan.ts"];

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
const list = (text: string | undefined) => text ? text.split(",").map((s) => s.trim()).filter(Boolean) : [];

const args = Deno.args;
const json = args.includes("--json");
const options: BenchOptions = {
  backends: list(flag(args, "backend")),
  ratios: list(flag(args, "ratio") ?? "30,60").map(Number),
  batch: Number(flag(args, "batch") ?? 32),
  dataDir: flag(args, "data-dir") ?? "data",
  quick: args.includes("--quick"),
};
const only = list(flag(args, "only"));

// Every suite's code is loaded before any runs, so a long run measures one version of the code.
const suites = await Promise.all(
  SUITE_MODULES.map(async (path) => ((await import(path)) as { suite: BenchSuite }).suite),
);
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
