/**
 * Grids of posters (or generated samples) with captions, composed with sharp into one PNG.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import sharp from "sharp";
import { POSTER_HEIGHT, POSTER_WIDTH } from "../config.ts";
import { Picture } from "./figure.ts";
import { escapeXml } from "./render.ts";

/** Decoded RGB pixels, row-major, 3 bytes per pixel. */
export interface RawImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** One tile of a {@linkcode posterGrid}. */
export interface GridItem {
  /** A file path, encoded image bytes (JPEG/PNG), or raw RGB pixels. */
  image: string | Uint8Array | RawImage;
  /** Lines written under the tile (each cut to the tile's width). */
  caption?: string | string[];
  /** Frame colour around the tile, e.g. green for a hit and red for a miss. */
  frame?: string;
}

/** Layout of a {@linkcode posterGrid}. */
export interface PosterGridOptions {
  /** Tiles per row (default: up to 8). */
  columns?: number;
  /** Tile width in pixels (default 120); the height keeps the poster aspect 182x268. */
  tileWidth?: number;
  /** Tile height in pixels (default from the poster aspect). */
  tileHeight?: number;
  /** Caption lines reserved under every tile (default: the most any item has). */
  captionLines?: number;
  /** Heading above the grid. */
  title?: string;
  /** Enlarge small images with nearest-neighbour, so their pixels stay visible (default false). */
  pixelated?: boolean;
}

/** One layer of sharp's `composite`. */
type Overlay = Parameters<ReturnType<typeof sharp>["composite"]>[0] extends (infer T)[] | undefined ? T
  : never;

const GAP = 6;
const LINE_HEIGHT = 13;
const TITLE_HEIGHT = 26;
const FONT = "DejaVu Sans, sans-serif";

function captionOf(item: GridItem): string[] {
  return item.caption === undefined ? [] : Array.isArray(item.caption) ? item.caption : [item.caption];
}

async function tile(item: GridItem, width: number, height: number, pixelated: boolean): Promise<Buffer> {
  const source = item.image;
  try {
    const image = typeof source === "string" || source instanceof Uint8Array
      ? sharp(source)
      : sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: 3 } });
    const resized = image.resize(width, height, {
      fit: "contain",
      background: "#ffffff",
      kernel: pixelated ? "nearest" : "lanczos3",
    }).flatten({
      background: "#ffffff",
    });
    return await resized.png().toBuffer();
  } catch (error) {
    // A missing or broken poster shows as a grey tile saying so, rather than failing a whole report.
    const what = typeof source === "string" ? source.split("/").pop()! : "image";
    const reason = error instanceof Error && /missing|no such file/i.test(error.message)
      ? "missing"
      : "unreadable";
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#ddd"/><text x="50%" y="50%" text-anchor="middle" ` +
      `font-family="${FONT}" font-size="11" fill="#555">${escapeXml(`${what} ${reason}`)}</text></svg>`;
    return await sharp(Buffer.from(svg)).png().toBuffer();
  }
}

function textSvg(lines: string[], width: number, height: number, fontSize: number, bold = false): Buffer {
  const maxChars = Math.max(4, Math.floor(width / (fontSize * 0.6)));
  const text = lines.map((line, i) => {
    const cut = line.length > maxChars ? line.slice(0, maxChars - 1) + "…" : line;
    return `<text x="0" y="${(i + 1) * LINE_HEIGHT - 3}">${escapeXml(cut)}</text>`;
  }).join("");
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}" ` +
      `font-size="${fontSize}" fill="#222"${bold ? ' font-weight="bold"' : ""}>${text}</svg>`,
  );
}

/** Lays images out in a grid with captions under each, on white, and returns the PNG. */
export async function posterGrid(
  items: readonly GridItem[],
  options: PosterGridOptions = {},
): Promise<Picture> {
  if (items.length === 0) throw new Error("posterGrid: no images to show.");
  const columns = Math.max(1, Math.min(options.columns ?? 8, items.length));
  const rows = Math.ceil(items.length / columns);
  const tileWidth = options.tileWidth ?? 120;
  const tileHeight = options.tileHeight ?? Math.round((tileWidth * POSTER_HEIGHT) / POSTER_WIDTH);
  const captionLines = options.captionLines ?? Math.max(0, ...items.map((i) => captionOf(i).length));
  const captionHeight = captionLines * LINE_HEIGHT;
  const top = options.title ? TITLE_HEIGHT : 0;
  const cellWidth = tileWidth + GAP;
  const cellHeight = tileHeight + captionHeight + GAP + (captionLines ? 2 : 0);
  const width = columns * cellWidth + GAP;
  const height = top + rows * cellHeight + GAP;

  const layers: Overlay[] = [];
  if (options.title) {
    layers.push({
      input: textSvg([options.title], width - 2 * GAP, TITLE_HEIGHT, 15, true),
      left: GAP,
      top: 6,
    });
  }
  const tiles = await Promise.all(
    items.map((item) => tile(item, tileWidth, tileHeight, options.pixelated ?? false)),
  );
  items.forEach((item, i) => {
    const left = GAP + (i % columns) * cellWidth;
    const y = top + GAP + Math.floor(i / columns) * cellHeight;
    if (item.frame) {
      const frame =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${tileWidth + 6}" height="${tileHeight + 6}">` +
        `<rect width="100%" height="100%" fill="${escapeXml(item.frame)}"/></svg>`;
      layers.push({ input: Buffer.from(frame), left: left - 3, top: y - 3 });
    }
    layers.push({ input: tiles[i], left, top: y });
    const caption = captionOf(item).slice(0, captionLines);
    if (caption.length) {
      layers.push({ input: textSvg(caption, tileWidth, captionHeight, 10), left, top: y + tileHeight + 2 });
    }
  });
  const png = await sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
    .composite(layers)
    .png()
    .toBuffer();
  return new Picture(new Uint8Array(png), width, height);
}
