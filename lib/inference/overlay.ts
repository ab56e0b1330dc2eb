/**
 * A class-activation map drawn over its poster, as a PNG (sharp).
 *
 * The map covers the model's input, which is the whole poster stretched to the model's size, so
 * stretching the map back to the poster's own size puts each cell over the part it saw.
 *
 * @module
 */
import sharp from "sharp";
import { type ActivationMap, heatmapRgba } from "./gradcam.ts";

/** Tallest overlay written, in pixels (twice a Kaggle poster): big scans are shown smaller. */
const MAX_HEIGHT = 536;

/** The poster (any format sharp reads) with `map` over it at up to `opacity`; PNG bytes. */
export async function overlayPng(
  poster: Uint8Array,
  map: ActivationMap,
  opacity: number,
): Promise<Uint8Array> {
  const base = sharp(poster).rotate().flatten({ background: "#ffffff" }).toColourspace("srgb");
  const meta = await sharp(poster).rotate().metadata();
  let width = meta.autoOrient?.width ?? meta.width ?? 182;
  let height = meta.autoOrient?.height ?? meta.height ?? 268;
  if (height > MAX_HEIGHT) {
    width = Math.max(1, Math.round((width * MAX_HEIGHT) / height));
    height = MAX_HEIGHT;
  }
  const heat = await sharp(heatmapRgba(map, opacity), {
    raw: { width: map.width, height: map.height, channels: 4 },
  }).resize(width, height, { fit: "fill", kernel: "cubic" }).png().toBuffer();
  const buffer = await base.resize(width, height, { fit: "fill" }).composite([{ input: heat }]).png()
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
