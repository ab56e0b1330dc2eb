import assert from "node:assert/strict";
import sharp from "sharp";
import { imagePath } from "../../lib/dataset/paths.ts";
import { resizePosters } from "../../lib/dataset/resize_posters.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

Deno.test("resizePosters writes exact-size RGB images, reports unreadable posters, and resumes", async () => {
  const { dataDir } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1, poster: "cmyk" },
      { imdbId: 2, poster: "gray" },
      { imdbId: 3, poster: "png-in-jpg" },
      { imdbId: 4, poster: "large" },
      { imdbId: 5, poster: "corrupt" },
      { imdbId: 6, poster: "empty" },
    ],
  });
  const ids = [1, 2, 3, 4, 5, 6];
  const first = await resizePosters(dataDir, 40, ids, { progress: false });
  assert.equal(first.written, 4);
  assert.deepEqual(first.failed.map((f) => f.imdbId).sort(), [5, 6]);
  assert.match(first.failed.find((f) => f.imdbId === 6)!.reason, /6\.jpg is empty/);
  for (const id of [1, 2, 3, 4]) {
    const meta = await sharp(imagePath(dataDir, 40, id)).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [73, 107, 3], `image ${id}`);
  }
  await assert.rejects(Deno.stat(imagePath(dataDir, 40, 5)), Deno.errors.NotFound);

  // What a resize killed mid-write left: a temp file of a process that has ended.
  const ended = new Deno.Command("true").spawn();
  await ended.status;
  const leftover = `${imagePath(dataDir, 40, 1)}.tmp-${ended.pid}`;
  await Deno.writeFile(leftover, new Uint8Array(10));
  const second = await resizePosters(dataDir, 40, ids, { progress: false });
  assert.equal(second.upToDate, 4);
  assert.equal(second.written, 0);
  assert.equal(second.failed.length, 2);
  await assert.rejects(Deno.stat(leftover), Deno.errors.NotFound, "the leftover temp file is removed");
  await Deno.remove(dataDir, { recursive: true });
});
