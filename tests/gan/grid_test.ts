import assert from "node:assert/strict";
import sharp from "sharp";
import { join } from "node:path";
import { writeGrid } from "../../lib/gan/grid.ts";
import { composeGrid } from "../../lib/gan/grid_layout.ts";

/** `count` tiles of `size` x `size`, tile t filled with value 10 * (t + 1). */
function tiles(count: number, size: number) {
  const pixels = new Uint8Array(count * size * size * 3);
  for (let t = 0; t < count; t++) pixels.fill(10 * (t + 1), t * size * size * 3, (t + 1) * size * size * 3);
  return { count, height: size, width: size, pixels };
}

Deno.test("composeGrid lays tiles out row by row with gaps", () => {
  const grid = composeGrid(tiles(5, 4), { rows: 2, columns: 3, gap: 1, background: [255, 0, 255] });
  assert.equal(grid.width, 3 * 5 + 1);
  assert.equal(grid.height, 2 * 5 + 1);
  const at = (x: number, y: number) =>
    Array.from(grid.pixels.subarray((y * grid.width + x) * 3, (y * grid.width + x) * 3 + 3));
  assert.deepEqual(at(0, 0), [255, 0, 255]); // gap
  assert.deepEqual(at(1, 1), [10, 10, 10]); // tile 0
  assert.deepEqual(at(6, 1), [20, 20, 20]); // tile 1, second column
  assert.deepEqual(at(1, 6), [40, 40, 40]); // tile 3, second row
  assert.deepEqual(at(11, 6), [255, 0, 255]); // tile 5 is missing: background
});

Deno.test("writeGrid writes a PNG of the grid's size, stretched to the poster shape when asked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sub", "grid.png");
    await writeGrid(path, tiles(6, 8), { rows: 2, columns: 3 });
    const meta = await sharp(path).metadata();
    assert.equal(meta.format, "png");
    assert.deepEqual([meta.width, meta.height], [3 * 10 + 2, 2 * 10 + 2]);
    await writeGrid(path, tiles(6, 8), { rows: 2, columns: 3, posterAspect: true });
    const stretched = await sharp(path).metadata();
    assert.deepEqual([stretched.width, stretched.height], [32, Math.round(22 * 268 / 182)]);
    assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["grid.png"]); // no temp file left
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
