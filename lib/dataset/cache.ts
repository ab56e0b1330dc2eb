/**
 * Caches under `<dataDir>/cache/` that make a second `loadGenreData` fast:
 *
 * - pixels: one uint8 file of RGB pixels per list of images, so decoding thousands of posters
 *   happens once;
 * - movies: the parsed `MovieGenre.csv` as JSON (parsing 25,000 rows with csv-parse takes ~0.5-1 s
 *   on a busy 2-core machine, reading the JSON ~0.05 s), keyed by the CSV's size and mtime.
 *
 * Pixel caches: *
 * The file name holds a SHA-256 of everything the pixels depend on: the ratio (image size), the
 * movies in order, and each image file's size and modification time. Changing the years, genres,
 * split or limit, re-resizing or replacing a poster gives another key, so a stale cache is never
 * read. Files are written atomically; the least recently used beyond {@linkcode MAX_CACHE_FILES} are
 * deleted.
 *
 * @module
 */
import { join } from "node:path";
import { type FileStamp, listFiles, readWholeFile, writeFileAtomic } from "../util/files.ts";
import { cacheDir, csvPath } from "./paths.ts";
import { type CsvParseResult, readMovieCsv } from "./csv.ts";

/** Bumped when the cache format or the image pipeline changes, so old caches are not read. */
const CACHE_FORMAT = 1;
/** Cache files kept per dataset folder (each is count x height x width x 3 bytes). */
export const MAX_CACHE_FILES = 8;

/** What the cached pixels were made from. */
export interface PixelCacheInputs {
  ratio: number;
  width: number;
  height: number;
  /** Name of the split (part of the file name, for people looking at the folder). */
  split: string;
  /** imdbIds in row order, with the stamp of each image file. */
  images: { imdbId: number; stamp: FileStamp }[];
}

/** The cache file for `inputs`: `<dataDir>/cache/pixels-r<ratio>-<split>-<n>-<hash>.u8`. */
export async function pixelCachePath(dataDir: string, inputs: PixelCacheInputs): Promise<string> {
  const text = JSON.stringify([
    CACHE_FORMAT,
    inputs.ratio,
    inputs.width,
    inputs.height,
    inputs.images.map(({ imdbId, stamp }) => [imdbId, stamp.size, stamp.mtimeMs]),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hash = Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  const name = `pixels-r${inputs.ratio}-${inputs.split}-${inputs.images.length}-${hash}.u8`;
  return join(cacheDir(dataDir), name);
}

/** The cached pixels at `path` when present and exactly `bytes` long, else undefined. */
export async function readPixelCache(path: string, bytes: number): Promise<Uint8Array | undefined> {
  try {
    const data = await readWholeFile(path);
    if (data.length !== bytes) return undefined; // written by something else: rebuild
    const now = new Date();
    await Deno.utime(path, now, now).catch(() => {}); // mark as recently used (best effort)
    return data;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Writes pixels atomically and deletes the least recently used cache files beyond the limit. */
export async function writePixelCache(path: string, pixels: Uint8Array): Promise<void> {
  await writeFileAtomic(path, pixels);
  const dir = join(path, "..");
  const files = [...(await listFiles(dir, (name) => name.startsWith("pixels-") && name.endsWith(".u8")))]
    .sort((a, b) => b[1].mtimeMs - a[1].mtimeMs);
  for (const [name] of files.slice(MAX_CACHE_FILES)) await Deno.remove(join(dir, name)).catch(() => {});
}

async function shortHash(value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(value)));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `<dataDir>/MovieGenre.csv` parsed, from the movies cache when the CSV's size and mtime match,
 * else parsed with {@linkcode readMovieCsv} and cached (replacing the previous movies cache).
 */
export async function readMovieCsvCached(dataDir: string): Promise<CsvParseResult> {
  const csv = csvPath(dataDir);
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(csv);
  } catch {
    return readMovieCsv(csv); // gives the clear "not found" error
  }
  const name = `movies-${await shortHash([CACHE_FORMAT, stat.size, stat.mtime?.getTime()])}.json`;
  const path = join(cacheDir(dataDir), name);
  try {
    const cached = JSON.parse(await Deno.readTextFile(path));
    return { ...cached, skipped: new Map(cached.skipped) };
  } catch {
    // missing or unreadable: parse the CSV
  }
  const parsed = await readMovieCsv(csv);
  const json = JSON.stringify({ ...parsed, skipped: [...parsed.skipped] });
  await writeFileAtomic(path, new TextEncoder().encode(json));
  for (const [old] of await listFiles(cacheDir(dataDir), (n) => n.startsWith("movies-") && n !== name)) {
    await Deno.remove(join(cacheDir(dataDir), old)).catch(() => {});
  }
  return parsed;
}
