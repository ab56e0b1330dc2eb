/**
 * The data step of `deno task data` and of the main job: import a folder, download missing posters,
 * resize for some ratios, each reported in a few lines; then the dataset folder in figures.
 *
 * ```ts
 * import { datasetSummaryLines, prepareDataset } from "./prepare.ts";
 * const catalog = await prepareDataset("data", { from: "../posters", ratios: [30], minYear: 1977, maxYear: 2017 });
 * for (const line of datasetSummaryLines(catalog, 1977, 2017)) console.log(line);
 * ```
 *
 * @module
 */
import { ALL_GENRES, imageSize } from "../config.ts";
import { type Catalog, loadCatalog, summarizeCatalog, usableMovies } from "./catalog.ts";
import { downloadPosters } from "./download.ts";
import { importDataset, posterSymlinks, SYMLINK_REASON } from "./import.ts";
import { genreCounts } from "./queries.ts";
import { resizePosters, unreadablePostersAdvice } from "./resize_posters.ts";
import { selectMovies } from "./selection.ts";
import { postersDir } from "./paths.ts";
import { join } from "node:path";

/** What {@linkcode prepareDataset} does, in this order; with none of it, it only reads the folder. */
export interface PrepareOptions {
  /** Import this folder (`MovieGenre.csv` and `posters/<imdbId>.jpg`) first. */
  from?: string;
  /** Fetch the missing posters of the usable movies in the years from the CSV's URLs. */
  download?: boolean;
  /** Write `images/<ratio>/` for these ratios (posters of the years that have a file). */
  ratios?: readonly number[];
  /** The years that the download and the resize cover. */
  minYear: number;
  maxYear: number;
  /** Downloads or resizes at once (defaults: those of downloadPosters and resizePosters). */
  concurrency?: number;
  /** Most bytes of one downloaded poster, after decoding (default lib/config.ts `MAX_POSTER_BYTES`). */
  maxBytes?: number;
  /** Where the report lines go (default console.log). */
  log?: (line: string) => void;
}

/** Up to `max` examples of a list, one a line, then how many more. */
function examples(items: string[], max = 5): string {
  const shown = items.slice(0, max).map((item) => `      ${item}`).join("\n");
  return items.length > max ? `${shown}\n      ... and ${items.length - max} more` : shown;
}

/** Imports, downloads and resizes as `options` ask, reporting each; returns the folder's catalog after. */
export async function prepareDataset(dataDir: string, options: PrepareOptions): Promise<Catalog> {
  const log = options.log ?? console.log;
  const { minYear, maxYear, concurrency } = options;
  if (options.from) {
    const result = await importDataset(options.from, dataDir);
    log(
      `imported ${options.from}: ${result.rows} rows, ${result.sourcePosters} poster files; ` +
        `${result.copied} copied, ${result.alreadyPresent} already present`,
    );
    for (const [reason, paths] of result.notCopied) {
      log(`  ${paths.length} posters not imported: ${reason}\n${examples(paths)}`);
    }
  }

  let catalog = await loadCatalog(dataDir);
  const links = await posterSymlinks(postersDir(dataDir));
  if (links.length) {
    log(
      `${links.length} poster file${links.length === 1 ? " in" : "s in"} ${postersDir(dataDir)} ` +
        `${links.length === 1 ? "is" : "are"} not read: ${SYMLINK_REASON}\n` +
        examples(links.map((name) => join(postersDir(dataDir), name))),
    );
  }
  if (options.download) {
    const result = await downloadPosters(
      dataDir,
      usableMovies(catalog, minYear, maxYear),
      (id) => catalog.posters.has(id),
      { concurrency, maxBytes: options.maxBytes },
    );
    log(
      `download: ${result.downloaded} fetched, ${result.alreadyPresent} already present, ` +
        `${result.noUrl} without URL, ${result.failed.length} failed`,
    );
    const byReason = Map.groupBy(result.failed, (f) => f.reason);
    for (const [reason, failures] of byReason) {
      log(`  ${failures.length} × ${reason}\n${examples(failures.map((f) => `${f.imdbId} ${f.url}`))}`);
    }
    if (result.failed.length) log(`  run the same command again to retry the failures`);
    catalog = await loadCatalog(dataDir);
  }

  const withPoster = selectMovies(catalog, { minYear, maxYear, genres: [] });
  for (const ratio of options.ratios ?? []) {
    const result = await resizePosters(dataDir, ratio, withPoster.map((m) => m.imdbId), { concurrency });
    const { width, height } = imageSize(ratio);
    log(
      `resize ${ratio}% → ${width}x${height} RGB PNG: ${result.written} written, ${result.upToDate} up to date, ` +
        `${result.failed.length} failed`,
    );
    if (result.failed.length) {
      log(examples(result.failed.map((f) => f.reason)));
      log(`  ${unreadablePostersAdvice(dataDir, ratio, result.failed)}`);
    }
  }
  return catalog;
}

/** What a dataset folder holds for the years: rows, usable movies, posters, splits, genres, rows left out. */
export function datasetSummaryLines(catalog: Catalog, minYear: number, maxYear: number): string[] {
  const s = summarizeCatalog(catalog, minYear, maxYear);
  const posterMovies = selectMovies(catalog, { minYear, maxYear, genres: [] });
  const perGenre = [...genreCounts(posterMovies, ALL_GENRES)].map(([genre, count]) => `${genre} ${count}`);
  const lines = [
    "",
    `${catalog.dataDir}: MovieGenre.csv (${catalog.encoding})`,
    `  rows                ${s.rows}`,
    `  movies              ${s.movies}`,
    `  usable ${minYear}-${maxYear}    ${s.usable}  (year, genres, poster file or URL)`,
    `  with poster file    ${s.withPoster}`,
    `  per split           train ${s.perSplit.train}, validation ${s.perSplit.validation}, test ${s.perSplit.test}`,
    `  per genre           ${perGenre.join(", ")}`,
  ];
  if (s.skipped.size) {
    lines.push(`  rows left out:`);
    for (const [reason, count] of s.skipped) lines.push(`    ${String(count).padStart(6)}  ${reason}`);
  }
  if (s.orphanPosters) lines.push(`  poster files without a CSV row: ${s.orphanPosters}`);
  return lines;
}
