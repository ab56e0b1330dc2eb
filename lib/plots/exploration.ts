/**
 * Figures of the data-exploration notebook, computed from a dataset catalog: how many movies each
 * filter keeps, movies per genre and per year, which genres go together, labels per movie, poster
 * sizes. Each returns plain rows that lib/plots/charts.ts draws.
 *
 * @module
 */
import type { MovieSelection } from "../config.ts";
import type { Catalog } from "../dataset/catalog.ts";
import { spread } from "../dataset/selection.ts";
import { posterPath } from "../dataset/paths.ts";
import { genreCounts, withAnyGenre } from "../dataset/queries.ts";
import type { Movie, Split } from "../dataset/types.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { imageInfo } from "../images/resize.ts";
import type { Bar, Column, Matrix } from "./charts.ts";

/** One step of {@linkcode filterFunnel}: what the filter keeps, and how many movies are left. */
export interface FunnelStep {
  step: string;
  movies: number;
}

/**
 * The dataset size after each filter a training run applies, in order: CSV rows, distinct movies,
 * with a release year, in the year range, with one of the genres, with a poster file. The last
 * step's movies are what training, validation and test draw from (`selectMovies` of
 * lib/dataset/selection.ts).
 */
export function filterFunnel(catalog: Catalog, selection: MovieSelection): FunnelStep[] {
  const withYear = catalog.movies.filter((m) => m.year !== undefined);
  const inRange = withYear.filter((m) => m.year! >= selection.minYear && m.year! <= selection.maxYear);
  const withGenre = withAnyGenre(inRange, selection.genres);
  const withPoster = withGenre.filter((m) => catalog.posters.has(m.imdbId));
  return [
    { step: "rows in MovieGenre.csv", movies: catalog.rows },
    { step: "distinct movies", movies: catalog.movies.length },
    { step: "with a release year", movies: withYear.length },
    { step: `released ${selection.minYear}-${selection.maxYear}`, movies: inRange.length },
    { step: `with one of the ${selection.genres.length} genres`, movies: withGenre.length },
    { step: "with a poster file", movies: withPoster.length },
  ];
}

/** Movies per split. */
export function moviesPerSplit(catalog: Catalog, movies: readonly Movie[]): Record<Split, number> {
  const counts: Record<Split, number> = { train: 0, validation: 0, test: 0 };
  for (const movie of movies) {
    const split = catalog.splits.get(movie.imdbId);
    if (split) counts[split]++;
  }
  return counts;
}

/** Movies having each genre (a movie with three genres counts three times). */
export function moviesPerGenre(movies: readonly Movie[], genres: readonly string[]): Bar[] {
  return [...genreCounts(movies, genres)].map(([label, value]) => ({ label, value }));
}

/** Movies per release year, every year from the first to the last (zero where none). */
export function moviesPerYear(movies: readonly Movie[]): Column[] {
  const years = movies.map((m) => m.year).filter((y): y is number => y !== undefined);
  if (years.length === 0) return [];
  const counts = new Map<number, number>();
  for (const year of years) counts.set(year, (counts.get(year) ?? 0) + 1);
  const first = Math.min(...years);
  const last = Math.max(...years);
  return Array.from(
    { length: last - first + 1 },
    (_, i) => ({ x: first + i, value: counts.get(first + i) ?? 0 }),
  );
}

/**
 * Genre co-occurrence: `values[a][b]` movies have both genre a and genre b; the diagonal is the
 * number of movies of each genre.
 */
export function genreCooccurrence(movies: readonly Movie[], genres: readonly string[]): Matrix {
  const index = new Map(genres.map((g, i) => [g, i]));
  const values = genres.map(() => genres.map(() => 0));
  for (const movie of movies) {
    const own = [...new Set(movie.genres)].map((g) => index.get(g)).filter((i): i is number =>
      i !== undefined
    );
    for (const a of own) for (const b of own) values[a][b]++;
  }
  return { rows: genres, columns: genres, values };
}

/** How many movies have 0, 1, 2, ... of `genres` as labels. */
export function labelsPerMovie(movies: readonly Movie[], genres: readonly string[]): Column[] {
  const wanted = new Set(genres);
  const counts: number[] = [];
  for (const movie of movies) {
    const n = new Set(movie.genres.filter((g) => wanted.has(g))).size;
    counts[n] = (counts[n] ?? 0) + 1;
  }
  return Array.from({ length: counts.length }, (_, n) => ({ x: n, value: counts[n] ?? 0 }));
}

/**
 * Poster sizes (`width x height`) of up to `sample` posters spread over `movies`, most common first;
 * sizes beyond the `top` most common are summed in one `other sizes` row.
 */
export async function posterSizes(
  dataDir: string,
  movies: readonly Movie[],
  sample: number,
  top = 6,
): Promise<{ size: string; posters: number }[]> {
  const picked = spread(movies, sample);
  const sizes = await mapConcurrent(picked, 4, async (movie) => {
    try {
      const { width, height } = await imageInfo(posterPath(dataDir, movie.imdbId));
      return `${width}x${height}`;
    } catch {
      return "unreadable";
    }
  });
  const counts = new Map<string, number>();
  for (const size of sizes) counts.set(size, (counts.get(size) ?? 0) + 1);
  const sorted = [...counts].map(([size, posters]) => ({ size, posters })).sort((a, b) =>
    b.posters - a.posters
  );
  if (sorted.length <= top + 1) return sorted;
  const rest = sorted.slice(top);
  return [
    ...sorted.slice(0, top),
    { size: `${rest.length} other sizes`, posters: rest.reduce((sum, r) => sum + r.posters, 0) },
  ];
}

/** Up to `count` movies of `genre`, spread over the list; `only` keeps movies with no other of `genres`. */
export function moviesOfGenre(
  movies: readonly Movie[],
  genre: string,
  count: number,
  only?: readonly string[],
): Movie[] {
  const others = new Set((only ?? []).filter((g) => g !== genre));
  return spread(
    movies.filter((m) => m.genres.includes(genre) && !m.genres.some((g) => others.has(g))),
    count,
  );
}
