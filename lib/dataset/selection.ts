/**
 * Which movies: one selection record ({@linkcode MovieSelection}, in config.ts) and one function, used
 * by loading a split, the exploration notebook, the DCGAN's training sets and `deno task data`.
 *
 * The movies are the usable ones (a year, at least one genre; see catalog.ts) with a poster file,
 * released in `[minYear, maxYear]`, with at least one of `genres` (any genre when empty) and none of
 * `excludeGenres`, in the `split` when one is given, in imdbId order.
 *
 * `limit` means one thing everywhere: at most that many of those movies, spread evenly over the list
 * (every k-th), so a quick run still spans all years and the same limit always picks the same movies.
 * With a split, it applies within the split (`limit: 500` loads at most 500 training posters).
 *
 * @example The original's DCGAN posters, 300 of them
 * ```ts
 * import { ORIGINAL_DCGAN_SELECTION } from "../config.ts";
 * import { loadCatalog } from "./catalog.ts";
 * import { selectMovies } from "./selection.ts";
 * const catalog = await loadCatalog("data");
 * const movies = selectMovies(catalog, { ...ORIGINAL_DCGAN_SELECTION, limit: 300 });
 * ```
 *
 * @module
 */
import type { MovieSelection } from "../config.ts";
import { type Catalog, usableMovies } from "./catalog.ts";
import { withAnyGenre } from "./queries.ts";
import type { Movie, Split } from "./types.ts";

/** The movies of `selection` (see the module doc), in imdbId order. */
export function selectMovies(catalog: Catalog, selection: MovieSelection, split?: Split): Movie[] {
  let movies = usableMovies(catalog, selection.minYear, selection.maxYear)
    .filter((m) => catalog.posters.has(m.imdbId));
  if (selection.genres.length) movies = withAnyGenre(movies, selection.genres);
  const excluded = new Set(selection.excludeGenres ?? []);
  if (excluded.size) movies = movies.filter((m) => !m.genres.some((g) => excluded.has(g)));
  if (split) movies = movies.filter((m) => catalog.splits.get(m.imdbId) === split);
  movies.sort((a, b) => a.imdbId - b.imdbId);
  return selection.limit === undefined ? movies : spread(movies, selection.limit);
}

/** Up to `count` items spread evenly over `items`, every k-th (deterministic, so a report is reproducible). */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}
