/**
 * `deno task data [--from DIR] [--download] [--resize 30,40,...] [--min-year N] [--max-year N] [--data-dir DIR]`
 *
 * Imports, downloads and resizes the movie-poster dataset, then prints what the dataset folder
 * holds. All work is in lib/dataset; this file reads flags and prints.
 */
import { DATASET_FLAGS, datasetConfigFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { ALL_GENRES, DEFAULT_DOWNLOAD_CONCURRENCY, imageSize } from "../lib/config.ts";
import { type Catalog, loadCatalog, summarizeCatalog, usableMovies } from "../lib/dataset/catalog.ts";
import { selectMovies } from "../lib/dataset/selection.ts";
import { downloadPosters } from "../lib/dataset/download.ts";
import { importDataset } from "../lib/dataset/import.ts";
import { genreCounts } from "../lib/dataset/queries.ts";
import { resizePosters } from "../lib/dataset/resize_posters.ts";

const FLAGS = {
  from: { type: "string", help: "import a folder holding MovieGenre.csv and posters/<imdbId>.jpg" },
  download: { type: "boolean", help: "fetch missing posters from the CSV's Poster URLs" },
  resize: { type: "list", help: "write images/<ratio>/ for these ratios (percent of 182x268), e.g. 30,60" },
  concurrency: {
    type: "number",
    help: `downloads (default ${DEFAULT_DOWNLOAD_CONCURRENCY}) or resizes (default: CPU cores) at once`,
  },
  "data-dir": DATASET_FLAGS["data-dir"],
  "min-year": DATASET_FLAGS["min-year"],
  "max-year": DATASET_FLAGS["max-year"],
} as const;

/** Prints up to `max` examples of a list, then how many more. */
function examples(items: string[], max = 5): string {
  const shown = items.slice(0, max).map((item) => `      ${item}`).join("\n");
  return items.length > max ? `${shown}\n      ... and ${items.length - max} more` : shown;
}

function printSummary(catalog: Catalog, minYear: number, maxYear: number): void {
  const s = summarizeCatalog(catalog, minYear, maxYear);
  console.log(`\n${catalog.dataDir}: MovieGenre.csv (${catalog.encoding})`);
  console.log(`  rows                ${s.rows}`);
  console.log(`  movies              ${s.movies}`);
  console.log(`  usable ${minYear}-${maxYear}    ${s.usable}  (year, genres, poster file or URL)`);
  console.log(`  with poster file    ${s.withPoster}`);
  console.log(
    `  per split           train ${s.perSplit.train}, validation ${s.perSplit.validation}, test ${s.perSplit.test}`,
  );
  const posterMovies = selectMovies(catalog, { minYear, maxYear, genres: [] });
  const perGenre = [...genreCounts(posterMovies, ALL_GENRES)].map(([genre, count]) => `${genre} ${count}`);
  console.log(`  per genre           ${perGenre.join(", ")}`);
  if (s.skipped.size) {
    console.log(`  rows left out:`);
    for (const [reason, count] of s.skipped) console.log(`    ${String(count).padStart(6)}  ${reason}`);
  }
  if (s.orphanPosters) console.log(`  poster files without a CSV row: ${s.orphanPosters}`);
}

await runCli("Import, download and resize the movie-poster dataset.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  const { dataDir, minYear, maxYear } = datasetConfigFromArgs(flags);
  const ratios = (flags.resize ?? []).map((text) => {
    const ratio = Number(text);
    try {
      imageSize(ratio);
    } catch (error) {
      throw new UsageError(`--resize ${text}: ${(error as Error).message}`);
    }
    return ratio;
  });

  if (flags.from) {
    const result = await importDataset(flags.from, dataDir);
    console.log(
      `imported ${flags.from}: ${result.rows} rows, ${result.sourcePosters} poster files; ` +
        `${result.copied} copied, ${result.alreadyPresent} already present`,
    );
    for (const [reason, paths] of result.notCopied) {
      console.log(`  ${paths.length} posters not imported: ${reason}\n${examples(paths)}`);
    }
  }

  let catalog = await loadCatalog(dataDir);
  if (flags.download) {
    const result = await downloadPosters(
      dataDir,
      usableMovies(catalog, minYear, maxYear),
      (id) => catalog.posters.has(id),
      { concurrency: flags.concurrency },
    );
    console.log(
      `download: ${result.downloaded} fetched, ${result.alreadyPresent} already present, ` +
        `${result.noUrl} without URL, ${result.failed.length} failed`,
    );
    const byReason = Map.groupBy(result.failed, (f) => f.reason);
    for (const [reason, failures] of byReason) {
      console.log(
        `  ${failures.length} × ${reason}\n${examples(failures.map((f) => `${f.imdbId} ${f.url}`))}`,
      );
    }
    if (result.failed.length) console.log(`  run the same command again to retry the failures`);
    catalog = await loadCatalog(dataDir);
  }

  const withPoster = selectMovies(catalog, { minYear, maxYear, genres: [] });
  for (const ratio of ratios) {
    const result = await resizePosters(dataDir, ratio, withPoster.map((m) => m.imdbId), {
      concurrency: flags.concurrency,
    });
    const { width, height } = imageSize(ratio);
    console.log(
      `resize ${ratio}% → ${width}x${height} RGB PNG: ${result.written} written, ${result.upToDate} up to date, ` +
        `${result.failed.length} failed`,
    );
    if (result.failed.length) console.log(examples(result.failed.map((f) => f.reason)));
  }

  printSummary(catalog, minYear, maxYear);
});
