import assert from "node:assert/strict";
import { type DatasetConfig, DEFAULT_DATASET, ORIGINAL_DCGAN_SELECTION } from "../../lib/config.ts";
import { loadCatalog } from "../../lib/dataset/catalog.ts";
import { selectMovies, spread } from "../../lib/dataset/selection.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

const configFor = (dataDir: string, extra: Partial<DatasetConfig> = {}): DatasetConfig => ({
  ...DEFAULT_DATASET,
  dataDir,
  ...extra,
});

Deno.test("selectMovies keeps the config's years and genres and spreads a limit over the list", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 60 });
  const catalog = await loadCatalog(dataDir);
  const all = selectMovies(catalog, configFor(dataDir), "train");
  const years = selectMovies(catalog, configFor(dataDir, { minYear: 1997, maxYear: 1998 }), "train");
  assert.ok(years.length > 0 && years.every((m) => m.year === 1997 || m.year === 1998));
  const war = selectMovies(catalog, configFor(dataDir, { genres: ["War"] }), "train");
  assert.ok(war.length > 0 && war.every((m) => m.genres.includes("War")));
  const limited = selectMovies(catalog, configFor(dataDir, { limit: 5 }), "train");
  assert.equal(limited.length, 5);
  assert.equal(limited[0], all[0]);
  assert.ok(limited[4].imdbId > all[Math.floor(all.length / 2)].imdbId, "limit spans the whole list");
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("one selection for every caller: exclusions, no genre filter, no split, the same limit rule", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 60 });
  const catalog = await loadCatalog(dataDir);
  const everyGenre = selectMovies(catalog, { minYear: 1900, maxYear: 2100, genres: [] });
  assert.ok(everyGenre.every((m) => catalog.posters.has(m.imdbId) && m.genres.length > 0));
  assert.deepEqual(everyGenre.map((m) => m.imdbId), everyGenre.map((m) => m.imdbId).sort((a, b) => a - b));
  const dcgan = selectMovies(catalog, { ...ORIGINAL_DCGAN_SELECTION, minYear: 1900 });
  const excluded = new Set(ORIGINAL_DCGAN_SELECTION.excludeGenres);
  assert.ok(dcgan.length > 0 && dcgan.length < everyGenre.length);
  assert.ok(dcgan.every((m) => !m.genres.some((g) => excluded.has(g))));
  // limit: an even spread over the selection, the same as spread() of the whole list.
  const limited = selectMovies(catalog, { minYear: 1900, maxYear: 2100, genres: [], limit: 7 });
  assert.deepEqual(limited, spread(everyGenre, 7));
  assert.deepEqual(
    selectMovies(catalog, { minYear: 1900, maxYear: 2100, genres: [], limit: 1000 }),
    everyGenre,
  );
  await Deno.remove(dataDir, { recursive: true });
});
