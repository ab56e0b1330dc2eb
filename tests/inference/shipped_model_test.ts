/**
 * The model posterlab ships in models/ answers `predict` right after a clone, with no training: on a
 * real test-split poster (one the model never saw) when the shared data is here, as in CI, else on a
 * made-up poster, where only the form of the answer can be checked.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SHIPPED_MODELS_DIR } from "../../lib/config.ts";
import { listSavedModels, savedModelProblems } from "../../lib/models/saved.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

const CLI = new URL("../../cli/predict.ts", import.meta.url).pathname;
const realData = Deno.env.get("POSTERLAB_REAL_DATA");
/** Futurama: Into the Wild Green Yonder (2009), Animation|Comedy|Sci-Fi; imdbId % 7 === 0: test split. */
const REAL_POSTER = { file: "1054487.jpg", genre: "Animation", year: 2009 };

Deno.test("the shipped model is healthy and predict answers with it on a fresh clone", async () => {
  const shipped = await listSavedModels(SHIPPED_MODELS_DIR);
  assert.equal(shipped.length, 1, `${SHIPPED_MODELS_DIR}/ holds the recommended model: ${shipped}`);
  assert.deepEqual(await savedModelProblems(join(SHIPPED_MODELS_DIR, shipped[0])), []);
  const root = await Deno.makeTempDir();
  try {
    const poster = realData ? join(realData, "posters", REAL_POSTER.file) : join(
      (await makeFixtureDataDir({ movies: 3, dir: join(root, "data") })).dataDir,
      "posters",
      "1001.jpg",
    );
    // An empty folder of saved models: what a fresh clone has.
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, poster, "--models-dir", join(root, "none"), "--json"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.match(stderr, new RegExp(`model: ${shipped[0]} \\[shipped with posterlab\\]`));
    const [answer] = JSON.parse(new TextDecoder().decode(output.stdout));
    const genres = Object.entries(answer.genres as Record<string, number>);
    assert.equal(genres.length, 7);
    assert.ok(genres.every(([, p]) => p >= 0 && p <= 1), JSON.stringify(answer));
    assert.ok(answer.year >= 1977 && answer.year <= 2017, `year ${answer.year}`);
    assert.ok(answer.rating >= 1 && answer.rating <= 10, `rating ${answer.rating}`);
    if (realData) {
      const [top, p] = genres.sort((a, b) => b[1] - a[1])[0];
      assert.equal(top, REAL_POSTER.genre, JSON.stringify(answer));
      assert.ok(p > 0.5, `${top} ${p}`);
      assert.ok(Math.abs(answer.year - REAL_POSTER.year) <= 10, `year ${answer.year}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
