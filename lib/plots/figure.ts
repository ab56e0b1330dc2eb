/**
 * What the plot functions return: a {@linkcode Figure} (vector, an SVG string) or a
 * {@linkcode Picture} (raster, PNG bytes). Both save to files atomically and show themselves in a
 * Jupyter notebook on the Deno kernel when they are the last expression of a cell.
 *
 * A figure is displayed as `text/html` (the inline SVG) plus `image/png`, never as `image/svg+xml`:
 * Debian's nbconvert 6.5.3 drops `image/svg+xml` outputs from its HTML export, which would leave blank
 * plots in the reports.
 *
 * @module
 */
import sharp from "sharp";
import { Buffer } from "node:buffer";
import { writeFileAtomic } from "../util/files.ts";

/** The symbol the Deno Jupyter kernel calls to get a value's MIME bundle. */
const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** A MIME bundle as the Jupyter display protocol sends it. */
export type MimeBundle = Record<string, string>;

/** A vector chart: an SVG document with its size in CSS pixels. */
export class Figure {
  /** The SVG markup (a standalone `<svg xmlns=...>` element). */
  readonly svg: string;
  /** Width in CSS pixels. */
  readonly width: number;
  /** Height in CSS pixels. */
  readonly height: number;

  constructor(svg: string, width: number, height: number) {
    this.svg = svg;
    this.width = width;
    this.height = height;
  }

  /**
   * Rasterises the figure to PNG on a white background (Plot's SVG background is transparent, which
   * shows as black or checkerboard in many viewers). `scale` 2 gives a sharp image on HiDPI screens.
   */
  async png(scale = 2): Promise<Uint8Array> {
    const buffer = await sharp(new TextEncoder().encode(this.svg), { density: 72 * scale })
      .flatten({ background: "#ffffff" })
      .png()
      .toBuffer();
    return new Uint8Array(buffer);
  }

  /** Writes the PNG to `path` atomically. */
  async writePng(path: string, scale = 2): Promise<void> {
    await writeFileAtomic(path, await this.png(scale));
  }

  /** Writes the SVG to `path` atomically. */
  async writeSvg(path: string): Promise<void> {
    await writeFileAtomic(path, new TextEncoder().encode(this.svg));
  }

  /** The notebook output: inline SVG as HTML, a PNG for viewers without HTML, and a text fallback. */
  async mimeBundle(): Promise<MimeBundle> {
    return {
      "text/html": `<div class="posterlab-figure" style="background:#fff">${this.svg}</div>`,
      "image/png": Buffer.from(await this.png(1)).toString("base64"),
      "text/plain": `Figure ${this.width}x${this.height}`,
    };
  }

  /** Called by the Deno Jupyter kernel when the figure is a cell's last expression. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.mimeBundle();
  }
}

/** A raster image (a poster grid, a sample grid): PNG bytes with their size. */
export class Picture {
  /** The PNG file contents. */
  readonly png: Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;

  constructor(png: Uint8Array, width: number, height: number) {
    this.png = png;
    this.width = width;
    this.height = height;
  }

  /** Reads the size of a PNG (or any image sharp decodes) and wraps it. */
  static async fromBytes(bytes: Uint8Array): Promise<Picture> {
    const image = sharp(bytes);
    const { width, height, format } = await image.metadata();
    const png = format === "png" ? bytes : new Uint8Array(await image.png().toBuffer());
    return new Picture(png, width ?? 0, height ?? 0);
  }

  /** Reads a PNG or JPEG file. */
  static async read(path: string): Promise<Picture> {
    return await Picture.fromBytes(await Deno.readFile(path));
  }

  /**
   * The picture at `width` pixels wide (aspect kept). Enlarging uses nearest-neighbour, so small
   * images (a 16x16 sample grid) show their pixels instead of a blur.
   */
  async scaled(width: number): Promise<Picture> {
    const height = Math.max(1, Math.round((this.height * width) / this.width));
    const kernel = width > this.width ? "nearest" : "lanczos3";
    const png = await sharp(this.png).resize(width, height, { kernel }).png().toBuffer();
    return new Picture(new Uint8Array(png), width, height);
  }

  /** Writes the PNG to `path` atomically. */
  async writePng(path: string): Promise<void> {
    await writeFileAtomic(path, this.png);
  }

  /** The notebook output: the PNG and a text fallback. */
  mimeBundle(): MimeBundle {
    return {
      "image/png": Buffer.from(this.png).toString("base64"),
      "text/plain": `Picture ${this.width}x${this.height}`,
    };
  }

  /** Called by the Deno Jupyter kernel when the picture is a cell's last expression. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return this.mimeBundle();
  }
}
