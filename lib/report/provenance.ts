/**
 * What produced a report: the code (git commit), the dataset folder and its counts, the machine, the
 * backend the notebook ran on, and the parameters the run changed. Shown as the report's header
 * (header.ts) and kept in the executed notebook's metadata (`posterlab.report`).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadCatalog } from "../dataset/catalog.ts";
import { listFileNames } from "../util/files.ts";
import { csvPath, imdbIdOfFile } from "../dataset/paths.ts";

/** The code a report was made from. */
export interface CodeVersion {
  /** `git rev-parse HEAD`, or undefined outside a git checkout. */
  commit?: string;
  /** Tracked files differ from that commit. */
  uncommittedChanges: boolean;
}

/** A dataset folder and what it holds. */
export interface DatasetCounts {
  /** Absolute path. */
  folder: string;
  /** Data rows of MovieGenre.csv (undefined when the folder has none). */
  csvRows?: number;
  /** Distinct movies in it. */
  movies?: number;
  /** Files in posters/. */
  posterFiles?: number;
  /** Resized posters per ratio (images/<ratio>/). */
  resized: Record<string, number>;
}

/** The computer a report ran on. */
export interface Machine {
  /** CPU model as /proc/cpuinfo names it (undefined where there is none). */
  cpu?: string;
  /** Logical cores. */
  cores: number;
  /** Memory in GiB. */
  memoryGiB?: number;
  /** OS and architecture, e.g. `x86_64-unknown-linux-gnu`. */
  target: string;
  /** Deno version. */
  deno: string;
}

/** A parameter a run set, and what the notebook declares otherwise. */
export interface ChangedParameter {
  name: string;
  /** The value used, as JSON. */
  value: string;
  /** The declaration's own value (its source text). */
  declared?: string;
  /** Which option set it. */
  by: "--small" | "--set";
}

/** Everything the report header says. */
export interface ReportProvenance {
  /** The notebook's title (its first heading) or file name. */
  title: string;
  /** When the notebook was executed (ISO 8601, UTC). */
  date: string;
  code: CodeVersion;
  /** The dataset folder the notebook read (undefined when it declares none). */
  dataset?: DatasetCounts;
  /** Backends the notebook's kernel chose (empty when it used no TensorFlow.js). */
  backends: string[];
  machine: Machine;
  parameters: ChangedParameter[];
}

/** Runs `git` in `dir`; its trimmed stdout, or undefined when git or the checkout is missing. */
async function git(dir: string, args: string[]): Promise<string | undefined> {
  try {
    const { code, stdout } = await new Deno.Command("git", {
      args,
      cwd: dir,
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return code === 0 ? new TextDecoder().decode(stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The commit checked out in `dir` and whether tracked files were changed since (untracked files don't count). */
export async function codeVersion(dir = "."): Promise<CodeVersion> {
  const commit = await git(dir, ["rev-parse", "HEAD"]);
  if (!commit) return { uncommittedChanges: false };
  const status = await git(dir, ["status", "--porcelain", "--untracked-files=no"]);
  return { commit, uncommittedChanges: !!status };
}

/** Counts of the dataset folder `dataDir`; a folder without MovieGenre.csv gives only the folder. */
export async function datasetCounts(dataDir: string): Promise<DatasetCounts> {
  const folder = resolve(dataDir);
  const resized: Record<string, number> = {};
  const ratios: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(folder, "images"))) {
      if (entry.isDirectory && /^\d+$/.test(entry.name)) ratios.push(entry.name);
    }
  } catch {
    // no images/ yet: nothing resized
  }
  for (const ratio of ratios.sort((a, b) => Number(a) - Number(b))) {
    resized[ratio] = (await listFileNames(join(folder, "images", ratio), (n) =>
      imdbIdOfFile(n) !== undefined))
      .length;
  }
  if (!existsSync(csvPath(folder))) return { folder, resized };
  const catalog = await loadCatalog(folder);
  return {
    folder,
    csvRows: catalog.rows,
    movies: catalog.movies.length,
    posterFiles: catalog.posters.size,
    resized,
  };
}

/** The CPU model, cores, memory and platform of this machine. */
export function machine(): Machine {
  let cpu: string | undefined;
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1]?.trim();
  } catch {
    cpu = undefined; // not Linux
  }
  let memoryGiB: number | undefined;
  try {
    memoryGiB = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
  } catch {
    memoryGiB = undefined;
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB,
    target: Deno.build.target,
    deno: Deno.version.deno,
  };
}

/** The text of the notebook's first Markdown heading, without `#` and emphasis marks. */
export function notebookTitle(
  cells: readonly { cell_type: string; source: string | string[] }[],
): string | undefined {
  for (const cell of cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const heading = /^#{1,6}\s+(.+)$/m.exec(source)?.[1];
    if (heading) return heading.replace(/[*_`]/g, "").trim();
  }
  return undefined;
}
