/**
 * Poster resizing with npm:sharp (libvips): any source (JPEG, PNG bytes in a `.jpg`, CMYK,
 * grayscale, with alpha, 300x450 or 182x268) becomes an RGB image of exactly the requested size.
 *
 * Fit: `fill` — the whole poster is scaled to the target box, aspect ratio not kept. Kaggle posters
 * are 182x268 and most 300-wide ones (300x424 to 300x450) are within 2-4% of that shape, so the
 * stretch is slight, while `cover` would crop titles and credits at the edges (which say a lot about
 * the genre) and `contain` would add bars. The original project's fixed-size resize also stretched.
 *
 * Output: lossless PNG, so the pixels a model trains on are exactly libvips' resize output; a second
 * JPEG generation would add 8x8 block artefacts that are large on a 55x80 image.
 *
 * @module
 */
import sharp, { type Sharp } from "sharp";

/** Width and height in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** An image that can't be read. Names the file and says what to do. */
export class ImageError extends Error {
  override name = "ImageError";
}

/** Where an image comes from: a file path, or bytes plus a name for messages. */
export type ImageSource = string | { bytes: Uint8Array; name: string };

function sourceName(source: ImageSource): string {
  return typeof source === "string" ? source : source.name;
}

async function sourceBytes(source: ImageSource): Promise<Uint8Array> {
  const bytes = typeof source === "string" ? await Deno.readFile(source) : source.bytes;
  if (bytes.length === 0) {
    throw new ImageError(
      `${sourceName(source)} is empty (0 bytes): delete it and import or download it again.`,
    );
  }
  return bytes;
}

/** A sharp pipeline that gives 8-bit sRGB, 3 channels, exactly `size`. */
function rgbPipeline(bytes: Uint8Array, size: Size): Sharp {
  return sharp(bytes, { failOn: "error" })
    .rotate() // honour EXIF orientation
    .flatten({ background: "#ffffff" }) // transparent parts become white, alpha goes
    .toColourspace("srgb") // CMYK and grayscale become RGB
    .resize(size.width, size.height, { fit: "fill" })
    .removeAlpha();
}

async function run<T>(source: ImageSource, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImageError) throw error;
    // libvips repeats its warnings over several lines: keep each distinct one once.
    const lines = (error instanceof Error ? error.message : String(error)).split("\n").map((l) => l.trim());
    const reason = [...new Set(lines.filter(Boolean))].join("; ");
    throw new ImageError(
      `${sourceName(source)} is not a readable image (${reason}): delete it and import or download it again.`,
    );
  }
}

/** Resizes an image to exactly `size`, RGB, and encodes it as PNG. */
export function resizeToPng(source: ImageSource, size: Size): Promise<Uint8Array> {
  return run(source, async () => {
    const buffer = await rgbPipeline(await sourceBytes(source), size).png({ compressionLevel: 6 }).toBuffer();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  });
}

/**
 * Decodes an image to raw RGB pixels (row-major, 3 bytes a pixel). When the image is not already
 * `size` it is resized (same pipeline as {@linkcode resizeToPng}), so the result is always
 * `size.width * size.height * 3` bytes.
 */
export function decodeRgb(source: ImageSource, size: Size): Promise<Uint8Array> {
  return run(source, async () => {
    const { data, info } = await rgbPipeline(await sourceBytes(source), size).raw().toBuffer({
      resolveWithObject: true,
    });
    if (info.width !== size.width || info.height !== size.height || info.channels !== 3) {
      throw new ImageError(
        `${sourceName(source)} decoded to ${info.width}x${info.height}x${info.channels}, ` +
          `expected ${size.width}x${size.height}x3.`,
      );
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  });
}

/** Width, height, channels and format of an image, without decoding its pixels. */
export function imageInfo(
  source: ImageSource,
): Promise<{ width: number; height: number; channels: number; format: string }> {
  return run(source, async () => {
    const meta = await sharp(await sourceBytes(source)).metadata();
    return {
      width: meta.width ?? 0,
      height: meta.height ?? 0,
      channels: meta.channels ?? 0,
      format: meta.format ?? "",
    };
  });
}

/** `WIDTHxHEIGHT` (e.g. `64x96`) as a size; an error saying the form for anything else. */
export function parseImageSize(text: string): Size {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  const size = match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
  if (!size || size.width < 1 || size.height < 1) {
    throw new Error(`"${text}" is not a size: use WIDTHxHEIGHT in pixels, such as 64x96.`);
  }
  return size;
}
