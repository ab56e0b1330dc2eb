/**
 * The train/validation/test split of the original project, deterministic and independent of the
 * run's config, so results of different runs are comparable.
 *
 * Rule, applied to every movie of the CSV that has a release year:
 * 1. test: `imdbId % 7 === 0`;
 * 2. validation: of the remaining movies of each year, sorted by imdbId ascending, the 6th, 12th,
 *    18th, ... (0-based index `i` with `i % 6 === 5`);
 * 3. train: the rest.
 *
 * The split is computed over the whole CSV (not over the movies a run selects), so a movie's split
 * depends only on the CSV: choosing 3 or 14 genres, a year range, or downloading more posters never
 * moves a movie from train to validation. Movies without a year have no split (they are not used).
 *
 * @module
 */
import type { Movie, Split } from "./types.ts";

/** Position within a year (sorted by imdbId) that falls in validation: every 6th. */
const VALIDATION_EVERY = 6;
/** imdbIds divisible by this are the test split. */
const TEST_MODULUS = 7;

/** The split of every movie with a year, by imdbId (see the module doc for the rule). */
export function assignSplits(movies: readonly Movie[]): Map<number, Split> {
  const splits = new Map<number, Split>();
  const byYear = new Map<number, number[]>();
  for (const movie of movies) {
    if (movie.year === undefined) continue;
    if (movie.imdbId % TEST_MODULUS === 0) {
      splits.set(movie.imdbId, "test");
      continue;
    }
    const ids = byYear.get(movie.year) ?? [];
    ids.push(movie.imdbId);
    byYear.set(movie.year, ids);
  }
  for (const ids of byYear.values()) {
    ids.sort((a, b) => a - b);
    ids.forEach((id, i) =>
      splits.set(id, i % VALIDATION_EVERY === VALIDATION_EVERY - 1 ? "validation" : "train")
    );
  }
  return splits;
}
