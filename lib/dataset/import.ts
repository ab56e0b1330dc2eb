/**
 * `deno task data --from DIR`: copies a folder holding `MovieGenre.csv` and `posters/<imdbId>.jpg`
 * (the Kaggle download, or `../shared/data/movie-posters`) into a dataset folder.
 *
 * Every poster with a CSV row is copied, whatever its year: the year range applies when posters are
 * resized and loaded, so a run with another range needs no new import.
 *
 * Safe to repeat and to interrupt: the source CSV is parsed in full before anything is written (a
 * truncated CSV stops the import with the dataset folder untouched), every file is written
 * atomically, posters already present with the same size are kept, and nothing is ever deleted.
 * Symbolic links among the source posters are not followed: they are reported, with what to do
 * ({@linkcode SYMLINK_REASON}).
 *
 * @module
 */
import { join } from "node:path";
import { Progress } from "../util/progress.ts";
import { readMovieCsv } from "./csv.ts";
import { copyFileAtomic, listFiles, removeStaleTempFiles, writeFileAtomic } from "../util/files.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { csvPath, imdbIdOfFile, posterPath, postersDir } from "./paths.ts";

/** Options of {@linkcode importDataset}. */
export interface ImportOptions {
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** What an import did. */
export interface ImportResult {
  /** Data rows of the imported CSV. */
  rows: number;
  /** Poster files found in the source. */
  sourcePosters: number;
  /** Posters copied now. */
  copied: number;
  /** Posters already in the dataset folder with the same size (kept). */
  alreadyPresent: number;
  /** Posters not copied, by reason, with their source paths. */
  notCopied: Map<string, string[]>;
}

/** Why a poster that is a symbolic link is not imported, nor read in a dataset folder. */
export const SYMLINK_REASON =
  "a symbolic link, not followed (copy the poster file itself there, e.g. with cp -L)";

/** Names of the `<name>.jpg` entries of `dir` that are symbolic links, sorted; empty when `dir` is missing. */
export async function posterSymlinks(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isSymlink && entry.name.endsWith(".jpg")) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/** Imports `fromDir` into `dataDir` (see the module doc). */
export async function importDataset(
  fromDir: string,
  dataDir: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const sourceCsv = csvPath(fromDir);
  const parsed = await readMovieCsv(sourceCsv); // throws before anything is written
  const ids = new Set(parsed.movies.map((m) => m.imdbId));
  const sourcePosters = join(fromDir, "posters");
  const files = await listFiles(sourcePosters, (name) => name.endsWith(".jpg"));
  await removeStaleTempFiles(postersDir(dataDir));
  const existing = await listFiles(postersDir(dataDir));

  const notCopied = new Map<string, string[]>();
  const leaveOut = (reason: string, path: string) => {
    if (!notCopied.has(reason)) notCopied.set(reason, []);
    notCopied.get(reason)!.push(path);
  };
  const toCopy: { from: string; id: number }[] = [];
  let alreadyPresent = 0;
  for (const [name, stamp] of files) {
    const from = join(sourcePosters, name);
    const id = imdbIdOfFile(name);
    if (id === undefined) leaveOut("name is not <imdbId>.jpg", from);
    else if (!ids.has(id)) leaveOut("no row in MovieGenre.csv", from);
    else if (stamp.size === 0) leaveOut("empty file", from);
    else if (existing.get(name)?.size === stamp.size) alreadyPresent++;
    else toCopy.push({ from, id });
  }
  for (const name of await posterSymlinks(sourcePosters)) leaveOut(SYMLINK_REASON, join(sourcePosters, name));

  await writeFileAtomic(csvPath(dataDir), await Deno.readFile(sourceCsv));
  const progress = options.progress === false || toCopy.length === 0
    ? undefined
    : new Progress("import", toCopy.length, { unit: "posters" });
  await mapConcurrent(toCopy, 8, async ({ from, id }) => {
    await copyFileAtomic(from, posterPath(dataDir, id));
    progress?.tick();
  });
  progress?.finish();
  return { rows: parsed.rows, sourcePosters: files.size, copied: toCopy.length, alreadyPresent, notCopied };
}
