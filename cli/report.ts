/**
 * `deno task report`: executes every notebook headless in the Deno Jupyter kernel and writes
 * `reports/<name>.html` and `reports/<name>.pdf`.
 *
 *   deno task report                      all notebooks, full parameters
 *   deno task report --only 1 --small     notebook 1 with its quick-run parameters (reports/small/)
 *   deno task report --small --strict     what CI runs: fail on a cell error or an unfinished-looking report
 */
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { buildReports } from "../lib/report/build.ts";
import type { Parameters, ParameterValue } from "../lib/report/notebook.ts";
import { resolve } from "node:path";
import { DEFAULT_CELL_TIMEOUT_SECONDS, REPORTS_DIR } from "../lib/config.ts";

const FLAGS = {
  only: { type: "list", help: "notebooks to run, by name or number (e.g. 1,3)" },
  small: { type: "boolean", help: "quick run: each notebook's small parameters (CI)" },
  "data-dir": {
    type: "string",
    help: "dataset folder for every notebook (default: POSTERLAB_DATA_DIR or data)",
  },
  set: { type: "list", help: "parameter values, e.g. epochs=3,limit=500" },
  "no-export": { type: "boolean", help: "execute only; no HTML or PDF" },
  "reports-dir": { type: "string", help: "where reports go (default reports/, reports/small/ with --small)" },
  timeout: { type: "number", help: "seconds one cell may run", default: DEFAULT_CELL_TIMEOUT_SECONDS },
  summary: { type: "boolean", help: "end with a line `notebooks: N passed, M failed`" },
  strict: {
    type: "boolean",
    help: "a report that looks unfinished (stderr blocks, loader text in the PDF, local scripts) fails",
  },
} as const;

/** `name=value` pairs; a value that parses as JSON (numbers, true, null, [..]) is used as such. */
function parseSettings(pairs: string[]): Parameters {
  const parameters: Parameters = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set needs name=value pairs, got "${pair}".`);
    const text = pair.slice(eq + 1);
    let value: ParameterValue;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    parameters[pair.slice(0, eq)] = value;
  }
  return parameters;
}

await runCli("Execute the notebooks and export them as HTML and PDF reports.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  const parameters = parseSettings(flags.set ?? []);
  const dataDir = flags["data-dir"] ?? Deno.env.get("POSTERLAB_DATA_DIR");
  // Notebooks run in notebooks/, so a folder given relative to here is passed as an absolute path.
  if (dataDir) parameters.dataDir = resolve(dataDir);
  const results = await buildReports({
    only: flags.only,
    small: flags.small,
    parameters,
    export: !flags["no-export"],
    // Quick runs go elsewhere, so CI or a test run never overwrites the real reports.
    reportsDir: flags["reports-dir"] ?? (flags.small ? `${REPORTS_DIR}/small` : REPORTS_DIR),
    cellTimeoutSeconds: flags.timeout,
  });
  const passes = (r: (typeof results)[number]) => r.ok && !(flags.strict && r.problems.length);
  const failed = results.filter((r) => !passes(r));
  console.log("");
  for (const r of results) {
    const noted = r.problems.length ? `, ${r.problems.length} problem(s) in the report` : "";
    console.log(`${passes(r) ? "ok    " : "FAILED"} ${r.name} (${r.seconds.toFixed(0)} s${noted})`);
  }
  if (flags.summary) {
    console.log(`notebooks: ${results.length - failed.length} passed, ${failed.length} failed`);
  }
  if (failed.length) Deno.exit(1);
});
