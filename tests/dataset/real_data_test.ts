/**
 * Imports the real poster folder named by env POSTERLAB_REAL_DATA (CI: ../shared/data/movie-posters),
 * resizes it at ratio 30 and checks the counts against the folder's own STATS.md.
 * Without POSTERLAB_REAL_DATA the test is reported as ignored.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { ALL_GENRES } from "../../lib/config.ts";
import { loadCatalog, summarizeCatalog } from "../../lib/dataset/catalog.ts";
import { listFileNames } from "../../lib/util/files.ts";
import { mapConcurrent } from "../../lib/util/concurrent.ts";
import { importDataset } from "../../lib/dataset/import.ts";
import { imagesDir } from "../../lib/dataset/paths.ts";
import { genreCounts } from "../../lib/dataset/queries.ts";
import { resizePosters } from "../../lib/dataset/resize_posters.ts";

const realData = Deno.env.get("POSTERLAB_REAL_DATA");

/** The figures of STATS.md this test checks, read from its tables. */
function parseStats(text: string) {
  const cell = (label: string) => {
    const match = new RegExp(`^\\|\\s*${label}\\s*\\|\\s*(\\d+)`, "m").exec(text);
    assert.ok(match, `STATS.md has no row "${label}"`);
    return Number(match[1]);
  };
  return {
    rows: cell("rows in MovieGenre\\.csv"),
    posters: cell("rows with a poster in posters/"),
    postersOutsideYears: cell("posters outside 1977-2017"),
    perGenre: new Map(ALL_GENRES.map((genre) => [genre, cell(genre.replace("-", "\\-"))])),
  };
}

Deno.test({
  name: "real data (needs POSTERLAB_REAL_DATA): import, resize at ratio 30, counts match STATS.md",
  ignore: !realData,
  sanitizeResources: false,
  async fn() {
    const stats = parseStats(await Deno.readTextFile(join(realData!, "STATS.md")));
    const dataDir = await Deno.makeTempDir({ prefix: "posterlab-real-" });
    try {
      const imported = await importDataset(realData!, dataDir);
      assert.equal(imported.rows, stats.rows);
      assert.equal(imported.sourcePosters, stats.posters);
      assert.equal(imported.copied, stats.posters, `not imported: ${[...imported.notCopied.keys()]}`);

      const catalog = await loadCatalog(dataDir);
      assert.equal(catalog.rows, stats.rows);
      assert.equal(catalog.posters.size, stats.posters);
      const withPoster = catalog.movies.filter((m) => catalog.posters.has(m.imdbId));
      assert.equal(withPoster.length, stats.posters, "every poster has a CSV row");
      assert.deepEqual(genreCounts(withPoster, ALL_GENRES), stats.perGenre);

      const summary = summarizeCatalog(catalog, 1977, 2017);
      const posterMoviesOutside = withPoster.filter((m) =>
        m.year !== undefined && (m.year < 1977 || m.year > 2017)
      );
      assert.equal(posterMoviesOutside.length, stats.postersOutsideYears);
      // Posters of movies whose title has no (year) can't be placed in a split: kept out of training.
      const withoutYear = withPoster.filter((m) => m.year === undefined).length;
      assert.equal(summary.withPoster, stats.posters - withoutYear);
      assert.ok(withoutYear < 20, `${withoutYear} poster movies without a year`);

      const usable = catalog.movies.filter((m) => m.year !== undefined && catalog.posters.has(m.imdbId));
      const resized = await resizePosters(dataDir, 30, usable.map((m) => m.imdbId));
      assert.deepEqual(resized.failed, []);
      const images = await listFileNames(imagesDir(dataDir, 30));
      assert.equal(images.length, summary.withPoster);
      const wrong: string[] = [];
      await mapConcurrent(images, 4, async (name) => {
        const meta = await sharp(join(imagesDir(dataDir, 30), name)).metadata();
        const facts = `${meta.width}x${meta.height}x${meta.channels} ${meta.space}`;
        if (facts !== "55x80x3 srgb") wrong.push(`${name}: ${facts}`);
      });
      assert.deepEqual(wrong, [], "every image is 55x80 RGB");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
