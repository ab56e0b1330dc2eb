/**
 * Executes a notebook headless in the real Deno Jupyter kernel, with parameters, and fails on any
 * cell error.
 *
 * The work is done by `run_notebook.py` (Debian's nbclient, patched to keep outputs the Deno kernel
 * sends after reporting idle; see that file). This module prepares the parameterised copy, runs it
 * and turns a failure into an error that quotes the failing cell's message.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Notebook, type Parameters, readNotebook, withParameters } from "./notebook.ts";
import { findPython } from "./tools.ts";
import { writeFileAtomic } from "../util/files.ts";
import { DEFAULT_CELL_TIMEOUT_SECONDS } from "../config.ts";
import { createLog } from "../util/log.ts";

const RUNNER = fileURLToPath(new URL("./run_notebook.py", import.meta.url));

/** How to execute a notebook. */
export interface ExecuteOptions {
  /** Values for the notebook's parameters cell. */
  parameters?: Parameters;
  /** Seconds one cell may run before the run fails (default 1800). */
  cellTimeoutSeconds?: number;
  /** Where the kernel starts (default: the notebook's folder, as in Jupyter). */
  cwd?: string;
  /** Receives progress lines (the cell being run). Default: stderr. */
  log?: (line: string) => void;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
}

/** A finished execution. */
export interface ExecuteResult {
  /** The executed notebook, outputs included. */
  notebook: Notebook;
  /** Where it was written. */
  outputPath: string;
  /** Wall time of the run. */
  seconds: number;
}

/** A notebook cell raised an error (or timed out, or the kernel died). The executed notebook is saved. */
export class NotebookExecutionError extends Error {
  override name = "NotebookExecutionError";
  /** The executed notebook up to the failure, written for inspection. */
  readonly outputPath: string;

  constructor(message: string, outputPath: string) {
    super(message);
    this.outputPath = outputPath;
  }
}

/**
 * Executes `path` with `options.parameters` and writes the executed notebook to `outputPath`.
 * Throws {@linkcode NotebookExecutionError} when a cell fails; the message holds the cell's error.
 */
export async function executeNotebook(
  path: string,
  outputPath: string,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const started = performance.now();
  const log = options.log ?? createLog();
  const notebook = withParameters(await readNotebook(path), options.parameters ?? {}, path);
  const python = await findPython();

  const dir = await Deno.makeTempDir({ prefix: "posterlab-notebook-" });
  try {
    // A kernelspec of our own, first on JUPYTER_PATH: headless runs use the Deno that runs this
    // command, whatever kernel `deno task setup` registered for interactive use (or none).
    await Deno.mkdir(join(dir, "kernels", "deno"), { recursive: true });
    await Deno.writeTextFile(
      join(dir, "kernels", "deno", "kernel.json"),
      JSON.stringify({
        argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
        display_name: "Deno",
        language: "typescript",
      }),
    );
    const jupyterPath = [dir, Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(":");
    const input = join(dir, basename(path));
    const output = join(dir, `executed-${basename(path)}`);
    await Deno.writeTextFile(input, JSON.stringify(withCellIds(notebook), null, 1) + "\n");
    const child = new Deno.Command(python, {
      args: [
        RUNNER,
        input,
        output,
        "--cwd",
        resolve(options.cwd ?? dirname(path)),
        "--timeout",
        String(options.cellTimeoutSeconds ?? DEFAULT_CELL_TIMEOUT_SECONDS),
      ],
      env: { ...options.env, JUPYTER_PATH: jupyterPath },
      stdout: "inherit",
      stderr: "piped",
    }).spawn();
    const messages = await relayLines(child.stderr, log);
    const { code } = await child.status;

    let executed: Notebook | undefined;
    try {
      executed = await readNotebook(output);
      // Copy, not rename: the temp folder may be on another file system.
      await writeFileAtomic(outputPath, await Deno.readFile(output));
    } catch {
      executed = undefined; // the runner failed before writing anything
    }
    if (code !== 0 || !executed) {
      const marker = messages.findIndex((l) => l === "CELL ERROR" || l === "RUNNER ERROR");
      const detail = marker >= 0 ? messages.slice(marker + 1).join("\n") : messages.slice(-20).join("\n");
      throw new NotebookExecutionError(
        `${path} failed${executed ? ` (executed notebook saved to ${outputPath})` : ""}:\n${detail}`,
        outputPath,
      );
    }
    return { notebook: executed, outputPath, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * `notebook` with an id on every cell: nbformat 4.5 requires them, and Jupyter's reader prints a
 * MissingIDFieldWarning for each notebook without (a cell added by hand in an editor often has none).
 */
export function withCellIds(notebook: Notebook): Notebook {
  if (notebook.cells.every((cell) => cell.id)) return notebook;
  const taken = new Set(notebook.cells.map((cell) => cell.id).filter(Boolean));
  const cells = notebook.cells.map((cell, index) => {
    if (cell.id) return cell;
    let id = `cell-${index}`;
    while (taken.has(id)) id += "x";
    taken.add(id);
    return { ...cell, id };
  });
  return { ...notebook, nbformat_minor: Math.max(notebook.nbformat_minor, 5), cells };
}

/** Passes each line of `stream` to `log` until the runner's error report starts; returns all lines. */
async function relayLines(
  stream: ReadableStream<Uint8Array>,
  log: (line: string) => void,
): Promise<string[]> {
  const lines: string[] = [];
  let pending = "";
  let inErrorReport = false;
  const take = (line: string) => {
    lines.push(line);
    if (line === "CELL ERROR" || line === "RUNNER ERROR") inErrorReport = true;
    // The error report becomes the thrown error's message; printing it here too would say it twice.
    if (!inErrorReport && !line.includes('"deno jupyter" is unstable')) log(line);
  };
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    parts.forEach(take);
  }
  if (pending) take(pending);
  return lines;
}
