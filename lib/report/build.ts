/**
 * `deno task report`: every notebook executed headless with its parameters, then exported to
 * `reports/<name>.html` and `reports/<name>.pdf` (the executed notebook is kept as
 * `reports/<name>.ipynb`, with what produced it in its metadata). Each report starts with a header
 * naming the code, data, backend, machine and changed parameters (provenance.ts, header.ts).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../util/files.ts";
import { createLog } from "../util/log.ts";
import { readRunFacts, RUN_FACTS_ENV, type RunFacts } from "../util/run_facts.ts";
import { executeNotebook, type ExecuteOptions, type ExecuteResult } from "./execute.ts";
import { exportHtml, exportPdf } from "./export.ts";
import { REPORTS_DIR } from "../config.ts";
import { reportHeaderHtml } from "./header.ts";
import { readPdfText, reportProblems } from "./inspect.ts";
import {
  declaredParameters,
  literalValue,
  type Notebook,
  type Parameters,
  type ParameterValue,
  readNotebook,
  smallParameters,
} from "./notebook.ts";
import {
  type ChangedParameter,
  codeVersion,
  datasetCounts,
  machine,
  notebookTitle,
  type ReportProvenance,
} from "./provenance.ts";

/** What to build. */
export interface ReportOptions {
  /** Folder of the notebooks (default `notebooks`). */
  notebooksDir?: string;
  /** Folder the reports go to (default `reports`). */
  reportsDir?: string;
  /** Only these notebooks (file names with or without `.ipynb`, or their number prefix like `2`). */
  only?: string[];
  /** Use each notebook's quick-run parameters (`posterlab.small` in its metadata). */
  small?: boolean;
  /** Values for parameters, applied to every notebook that declares them. */
  parameters?: Parameters;
  /** Write HTML and PDF (default true); false only executes. */
  export?: boolean;
  /** Seconds one cell may run. */
  cellTimeoutSeconds?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The outcome for one notebook. */
export interface NotebookReport {
  name: string;
  ok: boolean;
  seconds: number;
  /** Files written. */
  files: string[];
  /** Why it failed. */
  error?: string;
  /** What makes the exported report look unfinished (see inspect.ts); empty when it reads as finished. */
  problems: string[];
}

/** The notebooks of `dir` in file-name order, filtered by `only`; an unknown name is an error. */
export async function listNotebooks(dir: string, only?: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb") && !entry.name.startsWith(".")) names.push(entry.name);
  }
  names.sort();
  if (!only?.length) return names.map((n) => join(dir, n));
  return only.map((wanted) => {
    const stem = wanted.replace(/\.ipynb$/, "");
    const match = names.find((n) => n === `${stem}.ipynb`) ?? names.find((n) => n.startsWith(`${stem}_`));
    if (!match) throw new Error(`No notebook "${wanted}" in ${dir}/; there are: ${names.join(", ")}.`);
    return join(dir, match);
  });
}

/** Executes (and exports) each notebook; a failure is recorded and the next notebook still runs. */
export async function buildReports(options: ReportOptions = {}): Promise<NotebookReport[]> {
  const log = options.log ?? createLog();
  const reportsDir = options.reportsDir ?? REPORTS_DIR;
  const paths = await listNotebooks(options.notebooksDir ?? "notebooks", options.only);
  await checkParametersExist(paths, options.parameters ?? {});
  const results: NotebookReport[] = [];
  for (const path of paths) {
    const name = basename(path, ".ipynb");
    const started = performance.now();
    const files: string[] = [];
    const problems: string[] = [];
    try {
      const notebook = await readNotebook(path);
      const declared = declaredParameters(notebook);
      const parameters: Parameters = options.small ? smallParameters(notebook) : {};
      const changed = new Map<string, ChangedParameter["by"]>(
        Object.keys(parameters).map((k) => [k, "--small"]),
      );
      for (const [key, value] of Object.entries(options.parameters ?? {})) {
        if (declared.has(key)) {
          parameters[key] = value;
          changed.set(key, "--set");
        }
      }
      const dataDirValue = "dataDir" in parameters
        ? parameters.dataDir
        : literalValue(declared.get("dataDir"));
      checkDataDir(path, dataDirValue);
      const shown = Object.entries(parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
      log(`${name}: executing${shown ? ` with ${shown}` : ""}`);
      const executed = join(reportsDir, `${name}.ipynb`);
      const date = new Date().toISOString();
      const { result, facts } = await executeRecordingFacts(path, executed, {
        parameters,
        cellTimeoutSeconds: options.cellTimeoutSeconds,
        log,
      });
      const provenance: ReportProvenance = {
        title: notebookTitle(notebook.cells) ?? name,
        date,
        code: await codeVersion(dirname(path)),
        // The kernel runs in the notebook's folder, so a relative dataDir is relative to it.
        dataset: typeof dataDirValue === "string"
          ? await datasetCounts(resolve(dirname(path), dataDirValue))
          : undefined,
        backends: facts.backend ?? [],
        machine: machine(),
        parameters: [...changed].map(([key, by]) => ({
          name: key,
          value: JSON.stringify(parameters[key]),
          declared: declared.get(key),
          by,
        })),
      };
      await saveProvenance(result.notebook, executed, provenance);
      files.push(executed);
      if (options.export !== false) {
        const html = join(reportsDir, `${name}.html`);
        const pdf = join(reportsDir, `${name}.pdf`);
        await exportHtml(executed, html, { header: reportHeaderHtml(provenance), title: provenance.title });
        files.push(html);
        await exportPdf(html, pdf);
        files.push(pdf);
        problems.push(...reportProblems({
          notebook: result.notebook,
          html: await Deno.readTextFile(html),
          pdfText: await readPdfText(pdf),
        }));
        for (const problem of problems) log(`${name}: warning: ${problem}`);
      }
      const seconds = (performance.now() - started) / 1000;
      log(`${name}: ok in ${seconds.toFixed(0)} s${files.length ? ` → ${files.join(", ")}` : ""}`);
      results.push({ name, ok: true, seconds, files, problems });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${name}: FAILED\n${message}`);
      results.push({
        name,
        ok: false,
        seconds: (performance.now() - started) / 1000,
        files,
        error: message,
        problems,
      });
    }
  }
  return results;
}

/** {@linkcode executeNotebook} with a facts file for the kernel (see run_facts.ts); returns what it recorded. */
async function executeRecordingFacts(
  path: string,
  executed: string,
  options: ExecuteOptions,
): Promise<{ result: ExecuteResult; facts: RunFacts }> {
  const dir = await Deno.makeTempDir({ prefix: "posterlab-facts-" });
  try {
    const file = join(dir, "facts.jsonl");
    const result = await executeNotebook(path, executed, { ...options, env: { [RUN_FACTS_ENV]: file } });
    return { result, facts: await readRunFacts(file) };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Writes the executed notebook again with `provenance` in its metadata (`posterlab.report`). */
async function saveProvenance(notebook: Notebook, path: string, provenance: ReportProvenance): Promise<void> {
  const metadata = {
    ...notebook.metadata,
    posterlab: { ...notebook.metadata.posterlab, report: provenance },
  };
  const text = JSON.stringify({ ...notebook, metadata }, null, 1) + "\n";
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/** A parameter no selected notebook declares is a typo; say so before running anything. */
async function checkParametersExist(paths: string[], parameters: Parameters): Promise<void> {
  const declared = new Set<string>();
  for (const path of paths) {
    for (const name of declaredParameters(await readNotebook(path)).keys()) declared.add(name);
  }
  const unknown = Object.keys(parameters).filter((name) => !declared.has(name));
  if (unknown.length) {
    throw new Error(
      `No notebook declares parameter ${unknown.join(", ")}; declared: ${[...declared].sort().join(", ")}.`,
    );
  }
}

/**
 * Fails before starting a kernel when the notebook's dataset folder has no `MovieGenre.csv`, with
 * the commands that fill it.
 */
function checkDataDir(notebookPath: string, dataDir: ParameterValue | undefined): void {
  if (typeof dataDir !== "string") return;
  // The kernel runs in the notebook's folder, so a relative dataDir is relative to it.
  const folder = resolve(dirname(notebookPath), dataDir);
  if (existsSync(join(folder, "MovieGenre.csv"))) return;
  throw new Error(
    `${notebookPath} reads the dataset in ${folder}, which has no MovieGenre.csv. Import it first ` +
      `(\`deno task data --from ../shared/data/movie-posters\`, or the Kaggle download), or point the ` +
      `notebooks at another dataset folder with --data-dir DIR (or POSTERLAB_DATA_DIR).`,
  );
}
