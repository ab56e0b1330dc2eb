import assert from "node:assert/strict";
import { genreGroup, imageSize } from "../lib/config.ts";

Deno.test("imageSize rounds each side of 182x268", () => {
  assert.deepEqual(imageSize(30), { width: 55, height: 80 });
  assert.deepEqual(imageSize(60), { width: 109, height: 161 });
  assert.deepEqual(imageSize(100), { width: 182, height: 268 });
  assert.throws(() => imageSize(0), /Invalid ratio/);
});

Deno.test("genre groups nest: 3 ⊂ 7 ⊂ 14", () => {
  assert.deepEqual(genreGroup(7).slice(0, 3), genreGroup(3));
  assert.deepEqual(genreGroup(14).slice(0, 7), genreGroup(7));
  assert.equal(new Set(genreGroup(14)).size, 14);
});
