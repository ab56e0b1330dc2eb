import assert from "node:assert/strict";
import { join } from "node:path";
import { importDataset, SYMLINK_REASON } from "../../lib/dataset/import.ts";
import { prepareDataset } from "../../lib/dataset/prepare.ts";
import { makeFixtureDataDir, makeJpeg, movieCsvText } from "../fixtures.ts";

Deno.test("importDataset copies the CSV and every poster with a CSV row, and reports the rest", async () => {
  const { dataDir: source } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1 },
      { imdbId: 2, year: null }, // no year: still imported (the year range applies when loading)
      { imdbId: 3, poster: "empty" },
      { imdbId: 4, poster: "none" },
    ],
  });
  await Deno.writeFile(join(source, "posters", "99.jpg"), await makeJpeg()); // no CSV row
  await Deno.writeFile(join(source, "posters", "cover.jpg"), await makeJpeg());
  const target = await Deno.makeTempDir();

  const result = await importDataset(source, target, { progress: false });
  assert.equal(result.rows, 4);
  assert.equal(result.sourcePosters, 5);
  assert.equal(result.copied, 2);
  assert.deepEqual([...result.notCopied.keys()].sort(), [
    "empty file",
    "name is not <imdbId>.jpg",
    "no row in MovieGenre.csv",
  ]);
  assert.deepEqual(result.notCopied.get("empty file"), [join(source, "posters", "3.jpg")]);
  const copied = [...Deno.readDirSync(join(target, "posters"))].map((e) => e.name).sort();
  assert.deepEqual(copied, ["1.jpg", "2.jpg"]);
  assert.deepEqual(
    await Deno.readFile(join(target, "MovieGenre.csv")),
    await Deno.readFile(join(source, "MovieGenre.csv")),
  );

  // A second import keeps what is there and copies nothing again.
  const again = await importDataset(source, target, { progress: false });
  assert.equal(again.copied, 0);
  assert.equal(again.alreadyPresent, 2);
  await Deno.remove(source, { recursive: true });
  await Deno.remove(target, { recursive: true });
});

Deno.test("a truncated source CSV stops the import before anything already imported changes", async () => {
  const { dataDir: source } = await makeFixtureDataDir({ movies: 3 });
  const { dataDir: target } = await makeFixtureDataDir({ movies: 2 });
  const before = await Deno.readTextFile(join(target, "MovieGenre.csv"));
  const text = movieCsvText([{ imdbId: 1 }, { imdbId: 2 }]);
  await Deno.writeTextFile(join(source, "MovieGenre.csv"), text.slice(0, text.length - 12));

  await assert.rejects(
    importDataset(source, target, { progress: false }),
    new RegExp(`${join(source, "MovieGenre.csv")} line 3: .*truncated`),
  );
  assert.equal(await Deno.readTextFile(join(target, "MovieGenre.csv")), before);
  assert.equal([...Deno.readDirSync(join(target, "posters"))].length, 2);
  assert.ok(![...Deno.readDirSync(target)].some((e) => e.name.includes(".tmp-")), "no temp files left");
  await Deno.remove(source, { recursive: true });
  await Deno.remove(target, { recursive: true });
});

Deno.test("symbolic links among posters are reported with what to do, on import and in the dataset folder", async () => {
  const { dataDir: source } = await makeFixtureDataDir({
    movies: [{ imdbId: 1 }, { imdbId: 2 }, { imdbId: 3 }],
  });
  const elsewhere = await Deno.makeTempDir();
  await Deno.rename(join(source, "posters", "2.jpg"), join(elsewhere, "2.jpg"));
  await Deno.symlink(join(elsewhere, "2.jpg"), join(source, "posters", "2.jpg"));
  const target = await Deno.makeTempDir();
  const lines: string[] = [];
  await prepareDataset(target, { from: source, minYear: 1977, maxYear: 2017, log: (l) => lines.push(l) });
  assert.match(
    lines.join("\n"),
    /1 posters not imported: a symbolic link, not followed \(copy the poster file itself/,
  );
  assert.ok(lines.join("\n").includes(join(source, "posters", "2.jpg")));
  const result = await importDataset(source, target, { progress: false });
  assert.deepEqual(result.notCopied.get(SYMLINK_REASON), [join(source, "posters", "2.jpg")]);

  // A link inside the dataset folder is not read either: `deno task data` says how many and which.
  await Deno.symlink(join(elsewhere, "2.jpg"), join(target, "posters", "2.jpg"));
  const summary: string[] = [];
  await prepareDataset(target, { minYear: 1977, maxYear: 2017, log: (l) => summary.push(l) });
  assert.match(summary.join("\n"), /1 poster file in .*posters is not read: a symbolic link, not followed/);
  for (const dir of [source, elsewhere, target]) await Deno.remove(dir, { recursive: true });
});
