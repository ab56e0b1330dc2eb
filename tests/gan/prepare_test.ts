import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ganDir,
  type GanSelection,
  imagesAtSize,
  prepareTrainingSet,
  readTrainingSet,
  selectionKey,
} from "../../lib/gan/prepare.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

const movies = [
  { imdbId: 1, year: 1979, genres: ["Drama"] },
  { imdbId: 2, year: 1985, genres: ["Sci-Fi", "Action"] },
  { imdbId: 3, year: 1986, genres: ["Comedy"] },
  { imdbId: 4, year: 1995, genres: ["Horror", "Family"] },
  { imdbId: 5, year: 2001, genres: ["Drama", "Romance"] },
  { imdbId: 6, year: 2012, genres: ["Action"], poster: "none" as const },
];

function selection(dataDir: string, extra: Partial<GanSelection> = {}): GanSelection {
  return { dataDir, minYear: 1980, maxYear: 2017, genres: [], excludeGenres: [], ratio: 10, ...extra };
}

Deno.test("prepare selects by years and genres, writes an RGB set, and reuses it", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies });
  try {
    const first = await prepareTrainingSet(selection(dataDir, { excludeGenres: ["Comedy", "Family"] }));
    // 1979 is before --min-year, 3 is a comedy, 4 a family film, 6 has no poster file.
    assert.deepEqual(first.set.movies.map((m) => m.imdbId), [2, 5]);
    assert.deepEqual([first.set.width, first.set.height], [18, 27]); // ratio 10 of 182x268
    assert.equal(first.set.pixels.length, 2 * 18 * 27 * 3);
    assert.equal(first.reused, false);
    assert.ok(first.set.pixels.some((v) => v > 0));
    const again = await prepareTrainingSet(selection(dataDir, { excludeGenres: ["Family", "Comedy"] }));
    assert.equal(again.reused, true);
    const current = await readTrainingSet(dataDir); // the last prepared set
    assert.equal(current.key, "y1980-2017_ex-Comedy-Family_r10");
    assert.deepEqual(current.pixels, first.set.pixels);
    assert.deepEqual(current.movies[0], { imdbId: 2, year: 1985, genres: ["Sci-Fi", "Action"] });
    const included = await prepareTrainingSet(selection(dataDir, { genres: ["Action", "Horror"] }));
    assert.deepEqual(included.set.movies.map((m) => m.imdbId), [2, 4]);
    const limited = await prepareTrainingSet(selection(dataDir, { limit: 2 }));
    assert.equal(limited.set.movies.length, 2);
    // Stored at the DCGAN's size: a set of its own, read back at that size.
    const posters = await prepareTrainingSet(selection(dataDir, { size: { width: 16, height: 24 } }));
    assert.equal(posters.set.key, "y1980-2017_r10_16x24");
    assert.deepEqual([posters.set.width, posters.set.height], [16, 24]);
    assert.equal((await readTrainingSet(dataDir)).pixels.length, posters.set.movies.length * 16 * 24 * 3);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("imagesAtSize resizes a set to the DCGAN's poster or square input, or keeps it", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies });
  try {
    const { set } = await prepareTrainingSet(selection(dataDir));
    const posters = await imagesAtSize(set, { width: 16, height: 24 });
    assert.equal(posters.length, set.movies.length * 16 * 24 * 3);
    const squares = await imagesAtSize(set, { width: 16, height: 16 });
    assert.equal(squares.length, set.movies.length * 16 * 16 * 3);
    assert.equal(await imagesAtSize(set, set), set.pixels);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("prepare and read give clear errors for an empty selection, no set, and a damaged file", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies });
  try {
    await assert.rejects(() => readTrainingSet(dataDir), /run `deno task dcgan:prepare` first/);
    await assert.rejects(
      () => prepareTrainingSet(selection(dataDir, { genres: ["Western"] })),
      /No posters in .* match years 1980-2017, genres Western: widen the selection/,
    );
    const { set } = await prepareTrainingSet(selection(dataDir));
    await Deno.writeFile(join(ganDir(dataDir), `${set.key}.rgb`), new Uint8Array(10));
    await assert.rejects(
      () => readTrainingSet(dataDir),
      /has 10 bytes, expected .* run `deno task dcgan:prepare` again/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("selection keys name years, genres, ratio and limit", () => {
  assert.equal(
    selectionKey(
      selection("d", {
        minYear: 1990,
        genres: ["War"],
        excludeGenres: ["Family", "Animation"],
        ratio: 60,
        limit: 100,
      }),
    ),
    "y1990-2017_in-War_ex-Animation-Family_r60_n100",
  );
});
