/**
 * Queries over a movie list: year range, genres (any of), search by title or imdbId, genre vectors.
 * All are pure functions of plain {@linkcode Movie} records.
 *
 * @module
 */
import type { Movie } from "./types.ts";
import { parseImdbId } from "./csv.ts";

/** Movies released in `[minYear, maxYear]` (inclusive); movies without a year are left out. */
export function inYears(movies: readonly Movie[], minYear: number, maxYear: number): Movie[] {
  return movies.filter((m) => m.year !== undefined && m.year >= minYear && m.year <= maxYear);
}

/** Movies with at least one of `genres`. */
export function withAnyGenre(movies: readonly Movie[], genres: readonly string[]): Movie[] {
  const wanted = new Set(genres);
  return movies.filter((m) => m.genres.some((g) => wanted.has(g)));
}

/**
 * Finds movies by imdbId (`114709`, `tt0114709`: the exact movie) or else by title (every movie
 * whose title contains `query`, ignoring case and accents).
 */
export function searchMovies(movies: readonly Movie[], query: string): Movie[] {
  const id = parseImdbId(query);
  if (id !== undefined) return movies.filter((m) => m.imdbId === id);
  const needle = fold(query.trim());
  if (!needle) return [];
  return movies.filter((m) => fold(m.title).includes(needle));
}

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/** Multi-hot vector of `movie` over `genres`: 1 where the movie has that genre, else 0. */
export function genreVector(movie: Movie, genres: readonly string[]): Uint8Array {
  return Uint8Array.from(genres, (g) => (movie.genres.includes(g) ? 1 : 0));
}

/** Row-major [movies, genres] multi-hot matrix of {@linkcode genreVector}s. */
export function genreMatrix(movies: readonly Movie[], genres: readonly string[]): Uint8Array {
  const matrix = new Uint8Array(movies.length * genres.length);
  movies.forEach((movie, row) => matrix.set(genreVector(movie, genres), row * genres.length));
  return matrix;
}

/** Number of movies having each of `genres`. */
export function genreCounts(movies: readonly Movie[], genres: readonly string[]): Map<string, number> {
  const counts = new Map(genres.map((g) => [g, 0]));
  for (const movie of movies) {
    for (const g of movie.genres) if (counts.has(g)) counts.set(g, counts.get(g)! + 1);
  }
  return counts;
}
