/**
 * A dataset folder as a whole: its movies, which of them have a poster on disk, their splits, and
 * which rows can't be used for training and why.
 *
 * A movie is usable for training when it has a release year, at least one genre, and a poster
 * (a file in `posters/`, or a URL that `--download` can fetch). Unusable rows are counted by reason
 * in {@linkcode CatalogSummary.skipped}; they never stop a run.
 *
 * @module
 */
import { readMovieCsvCached } from "./cache.ts";
import type { CsvParseResult } from "./csv.ts";
import { listFileNames } from "../util/files.ts";
import { imdbIdOfFile, postersDir } from "./paths.ts";
import { assignSplits } from "./split.ts";
import type { Movie, Split } from "./types.ts";

/** A parsed dataset folder. */
export interface Catalog extends CsvParseResult {
  /** The dataset folder. */
  dataDir: string;
  /** imdbIds of the poster files in `posters/` (including any without a CSV row). */
  posters: Set<number>;
  /** Split of every movie with a year (see split.ts). */
  splits: Map<number, Split>;
}

/** Reads `<dataDir>/MovieGenre.csv` (through the movies cache, see cache.ts) and lists `<dataDir>/posters/`. */
export async function loadCatalog(dataDir: string): Promise<Catalog> {
  const parsed = await readMovieCsvCached(dataDir);
  const files = await listFileNames(postersDir(dataDir), (name) => imdbIdOfFile(name) !== undefined);
  const posters = new Set(files.map((name) => imdbIdOfFile(name)!));
  return { ...parsed, dataDir, posters, splits: assignSplits(parsed.movies) };
}

/** Why a movie can't be used for training (first that applies), or undefined when it can. */
export type UnusableReason = "no year" | "no genres" | "no poster file and no URL";

/** Why `movie` can't be used for training; `hasPosterFile` says whether its poster is on disk. */
export function unusableReason(movie: Movie, hasPosterFile: boolean): UnusableReason | undefined {
  if (movie.year === undefined) return "no year";
  if (movie.genres.length === 0) return "no genres";
  if (!hasPosterFile && movie.posterUrl === undefined) return "no poster file and no URL";
  return undefined;
}

/** Movies usable for training that were released in `[minYear, maxYear]`. */
export function usableMovies(catalog: Catalog, minYear: number, maxYear: number): Movie[] {
  return catalog.movies.filter((m) =>
    unusableReason(m, catalog.posters.has(m.imdbId)) === undefined && m.year! >= minYear && m.year! <= maxYear
  );
}

/** Counts for the `deno task data` summary and the real-data test. */
export interface CatalogSummary {
  /** Data rows in the CSV. */
  rows: number;
  /** Distinct movies parsed from them. */
  movies: number;
  /** Usable movies in the year range (year, genres, poster file or URL). */
  usable: number;
  /** Usable movies in the year range whose poster file is on disk: what training sees. */
  withPoster: number;
  /** Poster files whose imdbId has no CSV row. */
  orphanPosters: number;
  /** Rows left out, by reason (CSV-level reasons, unusable reasons, outside the year range). */
  skipped: Map<string, number>;
  /** Usable movies with a poster file, per split. */
  perSplit: Record<Split, number>;
}

/** Summarises a catalog for the years `[minYear, maxYear]`. */
export function summarizeCatalog(catalog: Catalog, minYear: number, maxYear: number): CatalogSummary {
  const skipped = new Map<string, number>();
  const count = (reason: string, n = 1) => skipped.set(reason, (skipped.get(reason) ?? 0) + n);
  for (const [reason, lines] of catalog.skipped) count(reason, lines.length);
  const perSplit: Record<Split, number> = { train: 0, validation: 0, test: 0 };
  let usable = 0;
  let withPoster = 0;
  for (const movie of catalog.movies) {
    const hasFile = catalog.posters.has(movie.imdbId);
    const reason = unusableReason(movie, hasFile);
    if (reason) {
      count(reason);
    } else if (movie.year! < minYear || movie.year! > maxYear) {
      count(`outside ${minYear}-${maxYear}`);
    } else {
      usable++;
      if (hasFile) {
        withPoster++;
        perSplit[catalog.splits.get(movie.imdbId)!]++;
      }
    }
  }
  const ids = new Set(catalog.movies.map((m) => m.imdbId));
  const orphanPosters = [...catalog.posters].filter((id) => !ids.has(id)).length;
  return {
    rows: catalog.rows,
    movies: catalog.movies.length,
    usable,
    withPoster,
    orphanPosters,
    skipped,
    perSplit,
  };
}
