/**
 * A poster brought to a model's size the way {@linkcode import("./resize.ts").decodeRgb} does it, in
 * plain TypeScript, for where libvips can't run: the page of `deno task serve`, in the browser.
 *
 * The model learned libvips's pixels, and small differences move its answers (docs/guide.md measures how
 * much, for the canvas's own resize and for this one). What libvips does, through sharp, for a poster shrunk
 * by `shrink` (the smaller of the two sides' factors):
 *
 * - a JPEG is decoded at 1/2, 1/4 or 1/8 of its size when `shrink` allows (sharp's shrink-on-load: the
 *   largest of 8, 4, 2 that is at most `shrink`, halved when it equals `shrink`'s whole part); libjpeg
 *   does that in the DCT, which is the one step not copied: 1/2 is approximated by the mean of each 2x2
 *   block, 1/4 and 1/8 by the Lanczos passes alone;
 * - then Lanczos-3, vertically then horizontally, each pass rounded to 8 bits; the kernel widens with
 *   the shrink, so that every source pixel counts.
 *
 * @example
 * ```ts
 * import { shrinkRgb } from "./shrink.ts";
 * const grey = { pixels: new Uint8Array(182 * 268 * 3).fill(128), width: 182, height: 268 };
 * const small = shrinkRgb(grey, { width: 55, height: 80 }, { jpeg: true });
 * console.assert(small.length === 55 * 80 * 3 && small[0] === 128);
 * ```
 *
 * @module
 */

/** Width and height in pixels. */
export interface ShrinkSize {
  width: number;
  height: number;
}

/** An RGB image: `width * height * 3` bytes, row-major. */
export interface RgbImage extends ShrinkSize {
  pixels: Uint8Array;
}

/** Lanczos-3's lobes. */
const LOBES = 3;

/** The factor sharp has libjpeg decode a JPEG at (1, 2, 4 or 8) for an overall `shrink`. */
export function jpegShrinkOnLoad(shrink: number): number {
  let factor = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  // sharp steps back one where libjpeg's rounding would leave the last resize almost nothing to do.
  if (factor > 1 && Math.floor(shrink) === factor) factor /= 2;
  return factor;
}

/** `image` at `size`, as lib/images/resize.ts's libvips pipeline makes it (see the module's notes). */
export function shrinkRgb(image: RgbImage, size: ShrinkSize, options: { jpeg: boolean }): Uint8Array {
  if (image.pixels.length !== image.width * image.height * 3) {
    throw new Error(
      `shrinkRgb: ${image.width}x${image.height} RGB needs ${image.width * image.height * 3} bytes.`,
    );
  }
  const shrink = Math.min(image.width / size.width, image.height / size.height);
  // libjpeg's 1/2 DCT scaling is near a 2x2 mean; its 1/4 and 1/8 are not, and a Lanczos from the whole
  // image comes nearer to them than a 4x4 or 8x8 mean does (docs/guide.md).
  const halved = options.jpeg && jpegShrinkOnLoad(shrink) === 2;
  let current = halved ? blockAverage(image, 2) : image;
  current = lanczosPass(current, size.height, "vertical");
  return lanczosPass(current, size.width, "horizontal").pixels;
}

/** Each `factor` x `factor` block's mean (edge blocks: what they hold), rounded. */
function blockAverage(image: RgbImage, factor: number): RgbImage {
  const width = Math.ceil(image.width / factor), height = Math.ceil(image.height / factor);
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rows = Math.min(factor, image.height - y * factor),
        columns = Math.min(factor, image.width - x * factor);
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < rows; dy++) {
          for (let dx = 0; dx < columns; dx++) {
            sum += image.pixels[((y * factor + dy) * image.width + x * factor + dx) * 3 + c];
          }
        }
        pixels[(y * width + x) * 3 + c] = Math.round(sum / (rows * columns));
      }
    }
  }
  return { pixels, width, height };
}

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (Math.abs(x) >= LOBES) return 0;
  const px = Math.PI * x;
  return (LOBES * Math.sin(px) * Math.sin(px / LOBES)) / (px * px);
}

/** One separable pass to `length` along `axis`: pixel centres aligned, edges repeated, rounded to 8 bits. */
function lanczosPass(image: RgbImage, length: number, axis: "vertical" | "horizontal"): RgbImage {
  const vertical = axis === "vertical";
  const from = vertical ? image.height : image.width;
  const width = vertical ? image.width : length, height = vertical ? length : image.height;
  if (from === length) return image;
  const pixels = new Uint8Array(width * height * 3);
  const scale = from / length;
  const stretch = Math.max(1, scale);
  const lines = vertical ? image.width : image.height;
  for (let o = 0; o < length; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const taps: number[] = [], weights: number[] = [];
    let total = 0;
    for (let i = Math.floor(centre - LOBES * stretch) + 1; i <= Math.floor(centre + LOBES * stretch); i++) {
      const weight = lanczos((i - centre) / stretch);
      if (weight === 0) continue;
      taps.push(Math.min(from - 1, Math.max(0, i)));
      weights.push(weight);
      total += weight;
    }
    for (let line = 0; line < lines; line++) {
      const out = (vertical ? o * width + line : line * width + o) * 3;
      for (let c = 0; c < 3; c++) {
        let value = 0;
        for (let k = 0; k < taps.length; k++) {
          const at = vertical ? taps[k] * image.width + line : line * image.width + taps[k];
          value += weights[k] * image.pixels[at * 3 + c];
        }
        pixels[out + c] = Math.min(255, Math.max(0, Math.round(value / total)));
      }
    }
  }
  return { pixels, width, height };
}
