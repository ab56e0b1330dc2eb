/**
 * A number for the DCGAN's "tiled texture": how much of the images' energy sits at the spatial
 * frequencies of patterns that repeat every `period` pixels, where `period` is the side of the area
 * one cell of the generator's first feature map grows into (16 pixels at 64x96: 4x6 cells). A
 * generator that draws the same blob in every cell, or the checkerboard of transposed convolutions
 * (periods 2, 4, ...), puts its energy there; real posters put little. Compared as generated / real:
 * 1 is the posters' own amount, well above 1 is a visible grid.
 *
 * The frequencies are `(a·H/period, b·W/period)` for `a, b` in `0..period-1`, without the mean
 * (0, 0): every period that divides `period` is among them. Energy is of the grey image, each image's
 * mean removed, as a share of its total energy (Parseval), averaged over the images.
 *
 * @example
 * ```ts
 * // 2 images of 8x8 RGB in [-1, 1], a pattern repeating every 4 pixels:
 * const pixels = new Float32Array(2 * 8 * 8 * 3).map((_, i) => (Math.floor(i / 3) % 4 === 0 ? 1 : -1));
 * periodicEnergy(pixels, { count: 2, height: 8, width: 8 }, 4); // close to 1
 * ```
 *
 * @module
 */

/** Mean share of energy at the `period`-periodic frequencies of `count` RGB images (NHWC, any range). */
export function periodicEnergy(
  pixels: ArrayLike<number>,
  size: { count: number; height: number; width: number },
  period: number,
): number {
  const { count, height, width } = size;
  if (height % period !== 0 || width % period !== 0) {
    throw new Error(
      `Images of ${width}x${height} have no ${period}-pixel period: both sides must divide by it.`,
    );
  }
  const fy = height / period;
  const fx = width / period;
  // cos/sin tables of each chosen frequency along each axis.
  const table = (n: number, step: number) =>
    Array.from({ length: period }, (_, a) => {
      const cos = new Float64Array(n);
      const sin = new Float64Array(n);
      for (let t = 0; t < n; t++) {
        cos[t] = Math.cos((2 * Math.PI * a * step * t) / n);
        sin[t] = Math.sin((2 * Math.PI * a * step * t) / n);
      }
      return { cos, sin };
    });
  const rows = table(height, fy);
  const columns = table(width, fx);
  const grey = new Float64Array(height * width);
  let share = 0;
  for (let i = 0; i < count; i++) {
    let mean = 0;
    for (let p = 0; p < height * width; p++) {
      const o = (i * height * width + p) * 3;
      grey[p] = (pixels[o] + pixels[o + 1] + pixels[o + 2]) / 3;
      mean += grey[p];
    }
    mean /= height * width;
    let total = 0;
    for (let p = 0; p < height * width; p++) {
      grey[p] -= mean;
      total += grey[p] * grey[p];
    }
    if (total === 0) continue; // a flat image has no pattern at all
    // Row transform at the chosen column frequencies, then column transform: |G(a, b)|².
    const re = new Float64Array(height * period);
    const im = new Float64Array(height * period);
    for (let y = 0; y < height; y++) {
      for (let b = 0; b < period; b++) {
        let r = 0;
        let s = 0;
        for (let x = 0; x < width; x++) {
          r += grey[y * width + x] * columns[b].cos[x];
          s -= grey[y * width + x] * columns[b].sin[x];
        }
        re[y * period + b] = r;
        im[y * period + b] = s;
      }
    }
    let periodic = 0;
    for (let a = 0; a < period; a++) {
      for (let b = 0; b < period; b++) {
        if (a === 0 && b === 0) continue;
        let r = 0;
        let s = 0;
        for (let y = 0; y < height; y++) {
          const c = rows[a].cos[y];
          const n = -rows[a].sin[y];
          const xr = re[y * period + b];
          const xi = im[y * period + b];
          r += xr * c - xi * n;
          s += xr * n + xi * c;
        }
        periodic += r * r + s * s;
      }
    }
    share += periodic / (height * width * total);
  }
  return share / count;
}
