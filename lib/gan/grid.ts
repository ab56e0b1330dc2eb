/**
 * Sample grids: a batch of generated images laid out as `rows` x `columns` tiles in one PNG.
 *
 * @module
 */
import sharp from "sharp";
import { POSTER_HEIGHT, POSTER_WIDTH } from "../config.ts";
import { writeFileAtomic } from "../util/files.ts";
import { composeGrid, type ImageBatch, type SampleGridOptions } from "./grid_layout.ts";

/** Encodes a grid of `batch` as PNG bytes. */
export async function gridPng(batch: ImageBatch, options: SampleGridOptions): Promise<Uint8Array> {
  const grid = composeGrid(batch, options);
  let image = sharp(grid.pixels, { raw: { width: grid.width, height: grid.height, channels: 3 } });
  if (options.posterAspect) {
    image = image.resize(grid.width, Math.round(grid.height * POSTER_HEIGHT / POSTER_WIDTH), { fit: "fill" });
  }
  const buffer = await image.png({ compressionLevel: 9 }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Writes a grid of `batch` as a PNG file, atomically. */
export async function writeGrid(path: string, batch: ImageBatch, options: SampleGridOptions): Promise<void> {
  await writeFileAtomic(path, await gridPng(batch, options));
}
