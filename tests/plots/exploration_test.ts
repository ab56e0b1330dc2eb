import assert from "node:assert/strict";
import { loadCatalog } from "../../lib/dataset/catalog.ts";
import {
  filterFunnel,
  genreCooccurrence,
  labelsPerMovie,
  moviesOfGenre,
  moviesPerGenre,
  moviesPerYear,
  posterSizes,
} from "../../lib/plots/exploration.ts";
import type { Movie } from "../../lib/dataset/types.ts";
import { selectMovies, spread } from "../../lib/dataset/selection.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

function movie(imdbId: number, genres: string[], year?: number): Movie {
  return { imdbId, title: `M${imdbId}`, year, genres, imdbLink: "", line: imdbId };
}

Deno.test("filterFunnel counts what each filter keeps, in order", async () => {
  const { dataDir } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1, genres: ["Drama"], year: 2000 },
      { imdbId: 2, genres: ["Western"], year: 2001 }, // not in the 3 genres
      { imdbId: 3, genres: ["Comedy"], year: 1950 }, // outside the years
      { imdbId: 4, genres: ["Action"], year: null }, // no year
      { imdbId: 5, genres: ["Action", "Drama"], year: 2010, poster: "none" }, // no poster file
      { imdbId: 6, genres: ["Comedy"], year: 2015 },
    ],
  });
  try {
    const catalog = await loadCatalog(dataDir);
    const selection = { minYear: 1977, maxYear: 2017, genres: ["Comedy", "Drama", "Action"] };
    assert.deepEqual(filterFunnel(catalog, selection).map((s) => s.movies), [6, 6, 5, 4, 3, 2]);
    assert.deepEqual(selectMovies(catalog, selection).map((m) => m.imdbId), [1, 6]);
    const sizes = await posterSizes(dataDir, selectMovies(catalog, selection), 10);
    assert.deepEqual(sizes, [{ size: "182x268", posters: 2 }]);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("genreCooccurrence counts pairs, with genre totals on the diagonal", () => {
  const movies = [movie(1, ["Drama", "Romance"]), movie(2, ["Drama"]), movie(3, ["Romance", "Drama", "War"])];
  const matrix = genreCooccurrence(movies, ["Drama", "Romance"]);
  assert.deepEqual(matrix.values, [[3, 2], [2, 2]]);
});

Deno.test("labelsPerMovie, moviesPerGenre and moviesPerYear", () => {
  const movies = [movie(1, ["Drama", "Romance"], 2000), movie(2, ["War"], 2002), movie(3, ["Drama"], 2000)];
  assert.deepEqual(labelsPerMovie(movies, ["Drama", "Romance"]), [
    { x: 0, value: 1 },
    { x: 1, value: 1 },
    { x: 2, value: 1 },
  ]);
  assert.deepEqual(moviesPerGenre(movies, ["Drama", "War"]), [{ label: "Drama", value: 2 }, {
    label: "War",
    value: 1,
  }]);
  assert.deepEqual(moviesPerYear(movies), [{ x: 2000, value: 2 }, { x: 2001, value: 0 }, {
    x: 2002,
    value: 1,
  }]);
});

Deno.test("moviesOfGenre can keep only movies without the other genres; spread is even", () => {
  const movies = [movie(1, ["Drama", "Romance"]), movie(2, ["Drama"]), movie(3, ["Drama", "War"])];
  assert.deepEqual(moviesOfGenre(movies, "Drama", 5, ["Drama", "Romance"]).map((m) => m.imdbId), [2, 3]);
  assert.deepEqual(spread([1, 2, 3, 4, 5, 6], 3), [1, 3, 5]);
});

Deno.test("posterSizes sums the rare sizes in one row", async () => {
  const { dataDir, movies } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1, poster: "jpeg" },
      { imdbId: 2, poster: "jpeg" },
      { imdbId: 3, poster: "large" },
      { imdbId: 4, poster: "none" },
    ],
  });
  try {
    const catalog = await loadCatalog(dataDir);
    const all = catalog.movies.filter((m) => movies.some((f) => f.imdbId === m.imdbId));
    const sizes = await posterSizes(dataDir, all, 10, 1);
    assert.deepEqual(sizes[0], { size: "182x268", posters: 2 });
    assert.deepEqual(sizes[1], { size: "2 other sizes", posters: 2 }); // the large one and the unreadable one
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
