import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetConfigFromArgs } from "../../lib/cli_args.ts";
import { type DatasetConfig, DEFAULT_DATASET, type Genre, genreGroup } from "../../lib/config.ts";
import { loadGenreData, MissingImagesError } from "../../lib/dataset/load.ts";
import { cacheDir, imagePath, posterPath } from "../../lib/dataset/paths.ts";
import { prepareDataset } from "../../lib/dataset/prepare.ts";
import { unreadablePostersPath } from "../../lib/dataset/resize_posters.ts";
import { corruptJpeg, makeFixtureDataDir, makeJpeg } from "../fixtures.ts";

const quiet = { progress: false };
const configFor = (dataDir: string, extra: Partial<DatasetConfig> = {}): DatasetConfig => ({
  ...DEFAULT_DATASET,
  dataDir,
  ...extra,
});
const cacheFiles = (dataDir: string) =>
  [...Deno.readDirSync(cacheDir(dataDir))].map((e) => e.name).filter((name) => name.startsWith("pixels-"))
    .sort();

Deno.test("loadGenreData gives pixels, multi-hot labels and tensors for the movies of a split", async () => {
  const { dataDir, movies } = await makeFixtureDataDir({ movies: 40, ratio: 30 });
  const config = configFor(dataDir, { genres: genreGroup(3) });
  const data = await loadGenreData(config, "train", quiet);
  const n = data.movies.length;
  assert.ok(n > 20 && n < 40, `train has ${n} of 40 movies`);
  assert.deepEqual(data.shape, [n, 80, 55, 3]);
  assert.equal(data.pixels.length, n * 80 * 55 * 3);
  assert.deepEqual(data.genres, ["Comedy", "Drama", "Action"]);
  for (const [row, movie] of data.movies.entries()) {
    assert.ok(movie.imdbId % 7 !== 0, "no test movie in train");
    const expected = data.genres.map((g) => (movie.genres.includes(g) ? 1 : 0));
    assert.deepEqual([...data.labels.subarray(row * 3, row * 3 + 3)], expected);
  }
  // Fixture posters are red for Comedy: the bottom-left pixel of a Comedy movie is reddish.
  const comedy = data.movies.findIndex((m) => m.genres.includes("Comedy"));
  assert.ok(data.pixels[(comedy * 80 * 55 + 79 * 55) * 3] > 150);

  const images = data.images([comedy, 0]);
  const labels = data.labelTensor([comedy]);
  assert.deepEqual(images.shape, [2, 80, 55, 3]);
  assert.equal(images.dtype, "float32");
  const values = await images.data();
  assert.ok(Math.abs(values[79 * 55 * 3] - data.pixels[(comedy * 80 * 55 + 79 * 55) * 3] / 255) < 1e-6);
  assert.deepEqual(
    [...(await labels.data())],
    data.genres.map((g) => (data.movies[comedy].genres.includes(g) ? 1 : 0)),
  );
  images.dispose();
  labels.dispose();
  assert.throws(() => data.images([n]), RangeError);

  const test = await loadGenreData(config, "test", quiet);
  assert.ok(test.movies.length > 0 && test.movies.every((m) => m.imdbId % 7 === 0));
  const validation = await loadGenreData(config, "validation", quiet);
  const all = [...data.movies, ...test.movies, ...validation.movies].map((m) => m.imdbId).sort((a, b) =>
    a - b
  );
  assert.deepEqual(all, movies.map((m) => m.imdbId), "the three splits cover every movie once");
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("a second load reads the pixel cache; changed inputs invalidate it", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 30, ratio: 30 });
  const config = configFor(dataDir);
  const first = await loadGenreData(config, "train", quiet);
  const [cacheName] = cacheFiles(dataDir);
  assert.match(cacheName, /^pixels-r30-train-\d+-[0-9a-f]{24}\.u8$/);

  // Mark the cache: a load that returns the marked bytes read it instead of decoding.
  const marked = first.pixels.map(() => 7);
  await Deno.writeFile(join(cacheDir(dataDir), cacheName), marked);
  const second = await loadGenreData(config, "train", quiet);
  assert.deepEqual(second.pixels, marked);

  // Replacing one image (new size and mtime) gives a new key: pixels are decoded again.
  const victim = first.movies[0].imdbId;
  const otherImage = await Deno.readFile(imagePath(dataDir, 30, first.movies[1].imdbId));
  await Deno.writeFile(imagePath(dataDir, 30, victim), otherImage);
  const third = await loadGenreData(config, "train", quiet);
  assert.notDeepEqual(third.pixels, marked);
  assert.deepEqual(third.pixels.subarray(0, 13200), first.pixels.subarray(13200, 26400));
  assert.equal(cacheFiles(dataDir).length, 2);

  // Another selection of movies (another genre group) has its own cache file.
  await loadGenreData(configFor(dataDir, { genres: genreGroup(3), minYear: 1996 }), "train", quiet);
  assert.equal(cacheFiles(dataDir).length, 3);
  assert.ok(![...Deno.readDirSync(cacheDir(dataDir))].some((e) => e.name.includes(".tmp-")));
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("missing images stop the load with the command to run, or are resized on request", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 12 });
  const config = configFor(dataDir, { ratio: 20 });
  await assert.rejects(loadGenreData(config, "train", quiet), (error: Error) => {
    assert.ok(error instanceof MissingImagesError);
    assert.match(error.message, /no image in .*images\/20/);
    assert.ok(error.message.includes(`deno task data --resize 20 --data-dir ${dataDir}`), error.message);
    return true;
  });
  const data = await loadGenreData(config, "train", { ...quiet, resize: true });
  assert.deepEqual(data.shape.slice(1), [54, 36, 3]);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("unknown genres or genre groups, broken images and empty selections give clear errors", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 8, ratio: 30 });
  const typo = configFor(dataDir, { genres: ["Sci-fi" as Genre] });
  await assert.rejects(loadGenreData(typo, "train", quiet), /Unknown genre "Sci-fi": use Comedy, .*Sci-Fi/);
  assert.throws(
    () => datasetConfigFromArgs({ _: [], genres: 5 }),
    /Unknown genre group 5: use 3 .*, 7 .* or 14/,
  );
  const broken = (await loadGenreData(configFor(dataDir), "train", quiet)).movies[0].imdbId;
  await Deno.writeFile(imagePath(dataDir, 30, broken), new Uint8Array([1, 2, 3]));
  await assert.rejects(
    loadGenreData(configFor(dataDir), "train", quiet),
    new RegExp(`${broken}\\.png is not a readable image .*deno task data --resize 30 --data-dir`),
  );
  const empty = configFor(dataDir, { minYear: 2010, maxYear: 2012 });
  await assert.rejects(
    loadGenreData(empty, "train", quiet),
    /No train movies in .* for 2010-2012 with any of Comedy/,
  );
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("unreadable posters: loading says to replace or delete them, not to run the resize that fails again", async () => {
  const { dataDir } = await makeFixtureDataDir({ movies: 20 });
  const config = configFor(dataDir);
  const [bad] = (await loadGenreData(config, "train", { ...quiet, resize: true })).movies;
  await Deno.remove(imagePath(dataDir, 30, bad.imdbId));
  await Deno.writeFile(posterPath(dataDir, bad.imdbId), corruptJpeg());

  // `deno task data --resize 30` reports the poster and the same advice, and records it.
  const lines: string[] = [];
  await prepareDataset(dataDir, { ratios: [30], minYear: 1977, maxYear: 2017, log: (l) => lines.push(l) });
  const output = lines.join("\n");
  assert.match(output, /1 failed/);
  assert.match(
    output,
    new RegExp(`1 poster can't be read, so \`deno task data --resize 30 --data-dir ${dataDir}\``),
  );
  assert.ok(await Deno.stat(unreadablePostersPath(dataDir, 30)));

  // Training's load: the poster, why, and a way out that works (no "run data --resize" loop).
  for (const options of [quiet, { ...quiet, resize: true }]) {
    await assert.rejects(loadGenreData(config, "train", options), (error: Error) => {
      assert.ok(error instanceof MissingImagesError);
      assert.match(error.message, /1 poster can't be read, so .* makes no image of it however often it runs/);
      assert.match(error.message, /not a readable image/);
      assert.ok(error.message.includes(`rm ${posterPath(dataDir, bad.imdbId)}`), error.message);
      assert.doesNotMatch(error.message, /^run `deno task data --resize|: run `deno task data --resize/);
      return true;
    });
  }
  // Following the advice works: without the poster the film is left out and the split loads.
  await Deno.remove(posterPath(dataDir, bad.imdbId));
  const data = await loadGenreData(config, "train", quiet);
  assert.ok(!data.movies.some((m) => m.imdbId === bad.imdbId));
  // A readable poster put in its place is resized, and leaves the record.
  await Deno.writeFile(posterPath(dataDir, bad.imdbId), await makeJpeg());
  const again = await loadGenreData(config, "train", { ...quiet, resize: true });
  assert.ok(again.movies.some((m) => m.imdbId === bad.imdbId));
  await assert.rejects(Deno.stat(unreadablePostersPath(dataDir, 30)), Deno.errors.NotFound);
  await Deno.remove(dataDir, { recursive: true });
});
