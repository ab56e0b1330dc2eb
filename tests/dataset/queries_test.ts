import assert from "node:assert/strict";
import {
  genreCounts,
  genreMatrix,
  genreVector,
  inYears,
  searchMovies,
  withAnyGenre,
} from "../../lib/dataset/queries.ts";
import type { Movie } from "../../lib/dataset/types.ts";

const movie = (imdbId: number, title: string, year: number | undefined, genres: string[]): Movie => ({
  imdbId,
  title,
  ...(year ? { year } : {}),
  genres,
  imdbLink: "",
  line: 0,
});
const MOVIES = [
  movie(114709, "Toy Story", 1995, ["Animation", "Adventure", "Comedy"]),
  movie(211915, "Amélie", 2001, ["Comedy", "Romance"]),
  movie(133093, "The Matrix", 1999, ["Action", "Sci-Fi"]),
  movie(1, "No Year", undefined, ["Drama"]),
];

Deno.test("inYears keeps movies inside the inclusive range and drops those without a year", () => {
  assert.deepEqual(inYears(MOVIES, 1995, 1999).map((m) => m.imdbId), [114709, 133093]);
  assert.deepEqual(inYears(MOVIES, 2002, 2010), []);
});

Deno.test("withAnyGenre keeps movies with at least one of the genres", () => {
  assert.deepEqual(withAnyGenre(MOVIES, ["Romance", "Sci-Fi"]).map((m) => m.imdbId), [211915, 133093]);
  assert.deepEqual(withAnyGenre(MOVIES, ["Western"]), []);
});

Deno.test("searchMovies finds by imdbId (with or without tt) or by title, ignoring case and accents", () => {
  assert.deepEqual(searchMovies(MOVIES, "tt0114709").map((m) => m.title), ["Toy Story"]);
  assert.deepEqual(searchMovies(MOVIES, "133093").map((m) => m.title), ["The Matrix"]);
  assert.deepEqual(searchMovies(MOVIES, "amelie").map((m) => m.imdbId), [211915]);
  assert.deepEqual(searchMovies(MOVIES, "THE").map((m) => m.imdbId), [133093]);
  assert.deepEqual(searchMovies(MOVIES, "  "), []);
});

Deno.test("genreVector and genreMatrix are multi-hot in the given genre order", () => {
  const genres = ["Comedy", "Drama", "Action"];
  assert.deepEqual([...genreVector(MOVIES[0], genres)], [1, 0, 0]);
  assert.deepEqual([...genreMatrix(MOVIES, genres)], [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  assert.deepEqual(genreCounts(MOVIES, genres), new Map([["Comedy", 2], ["Drama", 1], ["Action", 1]]));
});
