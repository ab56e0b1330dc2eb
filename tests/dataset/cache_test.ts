import assert from "node:assert/strict";
import { join } from "node:path";
import { MAX_CACHE_FILES, pixelCachePath, readPixelCache, writePixelCache } from "../../lib/dataset/cache.ts";
import { loadCatalog } from "../../lib/dataset/catalog.ts";
import { cacheDir } from "../../lib/dataset/paths.ts";
import { makeFixtureDataDir, movieCsvText } from "../fixtures.ts";

Deno.test("the parsed CSV is cached and re-parsed when the CSV changes", async () => {
  const { dataDir, movies } = await makeFixtureDataDir({ movies: 10 });
  const movieCaches = () =>
    [...Deno.readDirSync(cacheDir(dataDir))].filter((e) => e.name.startsWith("movies-"));
  assert.equal((await loadCatalog(dataDir)).movies.length, 10);
  assert.equal(movieCaches().length, 1);
  assert.equal((await loadCatalog(dataDir)).movies.length, 10);
  await Deno.writeTextFile(join(dataDir, "MovieGenre.csv"), movieCsvText(movies.slice(0, 4)));
  const changed = await loadCatalog(dataDir);
  assert.equal(changed.movies.length, 4);
  assert.equal(changed.rows, 4);
  assert.equal(movieCaches().length, 1, "the stale movies cache is replaced");
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("pixel cache keys change with any input, and old files beyond the limit are deleted", async () => {
  const dataDir = await Deno.makeTempDir();
  const base = {
    ratio: 30,
    width: 55,
    height: 80,
    split: "train",
    images: [{ imdbId: 1, stamp: { size: 10, mtimeMs: 5 } }],
  };
  const path = await pixelCachePath(dataDir, base);
  assert.equal(await pixelCachePath(dataDir, structuredClone(base)), path);
  for (
    const changed of [
      { ...base, ratio: 40 },
      { ...base, images: [{ imdbId: 2, stamp: { size: 10, mtimeMs: 5 } }] },
      { ...base, images: [{ imdbId: 1, stamp: { size: 11, mtimeMs: 5 } }] },
      { ...base, images: [{ imdbId: 1, stamp: { size: 10, mtimeMs: 6 } }] },
    ]
  ) {
    assert.notEqual(await pixelCachePath(dataDir, changed), path);
  }

  await writePixelCache(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual(await readPixelCache(path, 3), new Uint8Array([1, 2, 3]));
  assert.equal(await readPixelCache(path, 4), undefined, "a cache of the wrong length is not used");
  for (let i = 0; i < MAX_CACHE_FILES + 2; i++) {
    await writePixelCache(join(cacheDir(dataDir), `pixels-r30-train-1-${i}.u8`), new Uint8Array([i]));
  }
  assert.equal([...Deno.readDirSync(cacheDir(dataDir))].length, MAX_CACHE_FILES);
  await Deno.remove(dataDir, { recursive: true });
});
