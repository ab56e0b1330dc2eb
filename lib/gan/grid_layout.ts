/**
 * The layout of sample grids: a batch of generated images as `rows` x `columns` tiles with gaps, as raw
 * RGB. No TensorFlow.js or sharp here, so the page of `deno task serve` lays out its grid with the same
 * code as `dcgan:sample` (lib/gan/grid.ts encodes it as PNG).
 *
 * @module
 */

/** A batch of square or rectangular RGB images, uint8, row-major NHWC. */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  /** count x height x width x 3 bytes. */
  pixels: Uint8Array;
}

/** Layout of a grid. */
export interface SampleGridOptions {
  rows: number;
  columns: number;
  /** Pixels between tiles (and around them), drawn in `background`. Default 2. */
  gap?: number;
  /** Gap colour, RGB. Default white. */
  background?: [number, number, number];
  /** Stretch the grid to the poster's 182:268 shape (DCGAN tiles are square). Default false. */
  posterAspect?: boolean;
}

/**
 * Lays out the first `rows x columns` images as one RGB image; missing tiles stay background.
 * Returns the raw pixels and their size (before any poster-aspect stretch).
 */
export function composeGrid(batch: ImageBatch, options: SampleGridOptions): ImageBatch {
  const gap = options.gap ?? 2;
  const [r, g, b] = options.background ?? [255, 255, 255];
  const width = options.columns * (batch.width + gap) + gap;
  const height = options.rows * (batch.height + gap) + gap;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  }
  const tileBytes = batch.height * batch.width * 3;
  const rowBytes = batch.width * 3;
  const tiles = Math.min(batch.count, options.rows * options.columns);
  for (let t = 0; t < tiles; t++) {
    const x0 = gap + (t % options.columns) * (batch.width + gap);
    const y0 = gap + Math.floor(t / options.columns) * (batch.height + gap);
    for (let y = 0; y < batch.height; y++) {
      const from = t * tileBytes + y * rowBytes;
      out.set(batch.pixels.subarray(from, from + rowBytes), ((y0 + y) * width + x0) * 3);
    }
  }
  return { count: 1, height, width, pixels: out };
}
