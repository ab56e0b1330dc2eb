import assert from "node:assert/strict";
import { join } from "node:path";
import {
  copyFileAtomic,
  listFileNames,
  listFiles,
  readTextIfExists,
  readWholeFile,
  removeStaleTempFiles,
  writeFileAtomic,
} from "../../lib/util/files.ts";
import { mapConcurrent } from "../../lib/util/concurrent.ts";

Deno.test("writeFileAtomic creates folders, replaces files and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "a", "b", "x.bin");
  await writeFileAtomic(path, new Uint8Array([1, 2]));
  await writeFileAtomic(path, new Uint8Array([3]));
  assert.deepEqual(await Deno.readFile(path), new Uint8Array([3]));
  assert.deepEqual(await listFileNames(join(dir, "a", "b")), ["x.bin"]);
  await copyFileAtomic(path, join(dir, "copy.bin"));
  assert.deepEqual(await readWholeFile(join(dir, "copy.bin")), new Uint8Array([3]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failed atomic write leaves neither the final name nor a temp file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "taken")); // the final name is a folder: the rename fails
  await assert.rejects(writeFileAtomic(join(dir, "taken"), new Uint8Array([1])));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["taken"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("listFiles gives sizes of the files that pass the filter; a missing folder is empty", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "2.jpg"), new Uint8Array(5));
  await Deno.writeFile(join(dir, "1.jpg"), new Uint8Array(3));
  await Deno.writeFile(join(dir, "notes.txt"), new Uint8Array(1));
  const files = await listFiles(dir, (name) => name.endsWith(".jpg"));
  assert.deepEqual([...files.keys()], ["1.jpg", "2.jpg"]);
  assert.equal(files.get("2.jpg")!.size, 5);
  assert.deepEqual(await listFiles(join(dir, "nope")), new Map());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("removeStaleTempFiles deletes only old temp files", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "1.png.tmp-4242"), new Uint8Array(1));
  await Deno.writeFile(join(dir, "2.png.tmp-4243"), new Uint8Array(1));
  await Deno.writeFile(join(dir, "3.png"), new Uint8Array(1));
  const old = new Date(Date.now() - 2 * 3_600_000);
  await Deno.utime(join(dir, "1.png.tmp-4242"), old, old);
  assert.equal(await removeStaleTempFiles(dir), 1);
  assert.deepEqual(await listFileNames(dir), ["2.png.tmp-4243", "3.png"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mapConcurrent keeps input order and never runs more than the limit at once", async () => {
  let running = 0;
  let most = 0;
  const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return `${i}:${ms}`;
  });
  assert.deepEqual(results, ["0:5", "1:1", "2:4", "3:2", "4:3", "5:0"]);
  assert.equal(most, 2);
  assert.deepEqual(await mapConcurrent([], 4, () => Promise.resolve(1)), []);
});

Deno.test("readTextIfExists gives the text, undefined for a missing file, and throws other errors", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.json"), "{}");
  assert.equal(await readTextIfExists(join(dir, "a.json")), "{}");
  assert.equal(await readTextIfExists(join(dir, "missing.json")), undefined);
  await assert.rejects(readTextIfExists(dir)); // a folder is not a text file
  await Deno.remove(dir, { recursive: true });
});
