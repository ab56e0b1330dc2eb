import assert from "node:assert/strict";
import { loadCatalog, summarizeCatalog, unusableReason, usableMovies } from "../../lib/dataset/catalog.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

Deno.test("summarizeCatalog counts usable movies, posters, splits and skipped rows by reason", async () => {
  const { dataDir } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1, year: 2000 },
      { imdbId: 2, year: 2001, poster: "none", posterUrl: "http://example.com/2.jpg" },
      { imdbId: 3, year: 2001, poster: "none" },
      { imdbId: 4, year: null },
      { imdbId: 5, genres: [] },
      { imdbId: 14, year: 1950 },
    ],
  });
  const catalog = await loadCatalog(dataDir);
  assert.deepEqual([...catalog.posters].sort((a, b) => a - b), [1, 4, 5, 14]);
  const summary = summarizeCatalog(catalog, 1977, 2017);
  assert.equal(summary.rows, 6);
  assert.equal(summary.usable, 2); // 1 (file) and 2 (URL)
  assert.equal(summary.withPoster, 1);
  assert.deepEqual(summary.perSplit, { train: 1, validation: 0, test: 0 });
  assert.deepEqual(
    summary.skipped,
    new Map([["no poster file and no URL", 1], ["no year", 1], ["no genres", 1], ["outside 1977-2017", 1]]),
  );
  assert.deepEqual(usableMovies(catalog, 1900, 2017).map((m) => m.imdbId), [1, 2, 14]);
  assert.equal(unusableReason(catalog.movies[3], true), "no year");
  await Deno.remove(dataDir, { recursive: true });
});
