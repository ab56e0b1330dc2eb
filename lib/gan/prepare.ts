/**
 * The DCGAN training set: posters chosen by years, genres and ratio, decoded once into one uint8 RGB
 * file, so every training run (and resume) starts in seconds.
 *
 * Layout, under `<dataDir>/gan/`:
 * ```
 * <key>.json   the selection, image size, and each poster's imdbId, year and genres
 * <key>.rgb    count x height x width x 3 bytes, row-major, in the order of the json's movies
 * current.json {"key": "<key>"}: the set `deno task dcgan:train` uses unless told otherwise
 * ```
 * The key names the selection (`y1980-2017_ex-Animation-Comedy-Family_r60_64x96`), so sets of different
 * selections live side by side and preparing the same selection again reuses the file.
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { imageSize, type MovieSelection } from "../config.ts";
import { loadCatalog } from "../dataset/catalog.ts";
import { selectMovies } from "../dataset/selection.ts";
import { pathExists, writeFileAtomic } from "../util/files.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { imagePath, posterPath } from "../dataset/paths.ts";
import { decodeRgb } from "../images/resize.ts";
import { Progress } from "../util/progress.ts";

/**
 * Which posters go into a training set: a {@linkcode MovieSelection} (`genres`: keep posters with at
 * least one of them, empty keeps all; `limit`: an even spread, see lib/dataset/selection.ts) from a
 * dataset folder, at a ratio.
 */
export interface GanSelection extends MovieSelection {
  /** Dataset folder (MovieGenre.csv, posters/, images/<ratio>/). */
  dataDir: string;
  /** Poster size in percent of 182x268 of the source images (`images/<ratio>/` when resized there). */
  ratio: number;
  /**
   * Size the set stores, the DCGAN's input (e.g. 64x96); undefined stores the ratio's size. Training at
   * another size resizes on load.
   */
  size?: { width: number; height: number };
}

/** One poster of a training set: what the conditional model is told about it. */
export interface GanMovie {
  imdbId: number;
  year: number;
  genres: string[];
}

/** A training set in memory. */
export interface TrainingSet {
  /** The selection it was made from. */
  selection: GanSelection;
  /** Its name under `<dataDir>/gan/`. */
  key: string;
  /** Image height and width in pixels. */
  height: number;
  width: number;
  /** The posters, in pixel order. */
  movies: GanMovie[];
  /** count x height x width x 3 RGB bytes. */
  pixels: Uint8Array;
}

/** The folder of training sets. */
export function ganDir(dataDir: string): string {
  return join(dataDir, "gan");
}

/** The name of a selection's set, e.g. `y1980-2017_ex-Animation-Comedy-Family_r60`. */
export function selectionKey(selection: GanSelection): string {
  const parts = [`y${selection.minYear}-${selection.maxYear}`];
  const excluded = selection.excludeGenres ?? [];
  if (selection.genres.length) parts.push(`in-${[...selection.genres].sort().join("-")}`);
  if (excluded.length) parts.push(`ex-${[...excluded].sort().join("-")}`);
  parts.push(`r${selection.ratio}`);
  if (selection.size) parts.push(`${selection.size.width}x${selection.size.height}`);
  if (selection.limit !== undefined) parts.push(`n${selection.limit}`);
  return parts.join("_");
}

/** What {@linkcode prepareTrainingSet} did. */
export interface PrepareResult {
  set: TrainingSet;
  /** True when an existing file of the same selection and posters was reused. */
  reused: boolean;
  /** Where the pixels are. */
  path: string;
}

/** Options of {@linkcode prepareTrainingSet}. */
export interface PrepareOptions {
  /**
   * Make the set the one `deno task dcgan:train` uses next (`current.json`); default true, as
   * `deno task dcgan:prepare` does. A notebook that only needs a set passes false.
   */
  makeCurrent?: boolean;
}

/**
 * Selects the posters and writes the set (or reuses an identical one), and marks it current unless
 * told not to. Pixels come from `images/<ratio>/` when resized there, else straight from `posters/`.
 */
export async function prepareTrainingSet(
  selection: GanSelection,
  options: PrepareOptions = {},
): Promise<PrepareResult> {
  const makeCurrent = options.makeCurrent ?? true;
  const excluded = selection.excludeGenres ?? [];
  for (const genre of [...selection.genres, ...excluded]) {
    if (!/^[A-Za-z-]+$/.test(genre)) {
      throw new Error(`Genre "${genre}" is not a genre name (such as Sci-Fi).`);
    }
  }
  const catalog = await loadCatalog(selection.dataDir);
  const chosen = selectMovies(catalog, selection);
  if (chosen.length === 0) {
    throw new Error(
      `No posters in ${selection.dataDir} match years ${selection.minYear}-${selection.maxYear}` +
        (selection.genres.length ? `, genres ${selection.genres.join(",")}` : "") +
        (excluded.length ? `, without ${excluded.join(",")}` : "") +
        `: widen the selection or import posters with \`deno task data --from DIR\`.`,
    );
  }
  const key = selectionKey(selection);
  const { width, height } = selection.size ?? imageSize(selection.ratio);
  const movies: GanMovie[] = chosen.map((m) => ({ imdbId: m.imdbId, year: m.year!, genres: m.genres }));
  const existing = await readTrainingSet(selection.dataDir, key).catch(() => undefined);
  if (
    existing && sameMovies(existing.movies, movies) && existing.width === width && existing.height === height
  ) {
    if (makeCurrent) await markCurrent(selection.dataDir, key);
    return { set: existing, reused: true, path: pixelsPath(selection.dataDir, key) };
  }
  const bytesPerImage = width * height * 3;
  const pixels = new Uint8Array(movies.length * bytesPerImage);
  const progress = new Progress("dcgan:prepare", movies.length, { unit: "posters" });
  await mapConcurrent(movies, 4, async (movie, i) => {
    const resized = imagePath(selection.dataDir, selection.ratio, movie.imdbId);
    const source = await pathExists(resized) ? resized : posterPath(selection.dataDir, movie.imdbId);
    pixels.set(await decodeRgb(source, { width, height }), i * bytesPerImage);
    progress.tick();
  });
  progress.finish();
  const set: TrainingSet = { selection, key, width, height, movies, pixels };
  await writeTrainingSet(set);
  if (makeCurrent) await markCurrent(selection.dataDir, key);
  return { set, reused: false, path: pixelsPath(selection.dataDir, key) };
}

function sameMovies(a: readonly GanMovie[], b: readonly GanMovie[]): boolean {
  return a.length === b.length && a.every((m, i) => m.imdbId === b[i].imdbId);
}

function pixelsPath(dataDir: string, key: string): string {
  return join(ganDir(dataDir), `${key}.rgb`);
}

function indexPath(dataDir: string, key: string): string {
  return join(ganDir(dataDir), `${key}.json`);
}

/** Writes a set's pixels and index atomically (pixels first, so an index never points at a half file). */
export async function writeTrainingSet(set: TrainingSet): Promise<void> {
  const dataDir = set.selection.dataDir;
  await writeFileAtomic(pixelsPath(dataDir, set.key), set.pixels);
  const index = {
    selection: set.selection,
    key: set.key,
    width: set.width,
    height: set.height,
    movies: set.movies,
  };
  await writeFileAtomic(indexPath(dataDir, set.key), new TextEncoder().encode(JSON.stringify(index)));
}

async function markCurrent(dataDir: string, key: string): Promise<void> {
  await writeFileAtomic(
    join(ganDir(dataDir), "current.json"),
    new TextEncoder().encode(JSON.stringify({ key })),
  );
}

/** Reads a set by key, or the current one (the last prepared) when `key` is omitted. */
export async function readTrainingSet(dataDir: string, key?: string): Promise<TrainingSet> {
  if (key === undefined) {
    try {
      key = JSON.parse(await Deno.readTextFile(join(ganDir(dataDir), "current.json"))).key as string;
    } catch {
      throw new Error(
        `No DCGAN training set in ${ganDir(dataDir)}: run \`deno task dcgan:prepare\` first ` +
          `(e.g. --min-year 1980 --exclude-genres Animation,Comedy,Family --ratio 60).`,
      );
    }
  }
  const index = await readSetIndex(dataDir, key);
  const pixels = await Deno.readFile(pixelsPath(dataDir, key));
  const expected = index.movies.length * index.width * index.height * 3;
  if (pixels.length !== expected) {
    throw new Error(
      `${pixelsPath(dataDir, key)} has ${pixels.length} bytes, expected ${expected}: ` +
        `run \`deno task dcgan:prepare\` again with the same selection to rewrite it.`,
    );
  }
  return { ...index, pixels };
}

/** A set's index without its pixels: selection, size and posters (`<key>.json`). */
export async function readSetIndex(dataDir: string, key: string): Promise<Omit<TrainingSet, "pixels">> {
  return JSON.parse(await Deno.readTextFile(indexPath(dataDir, key)));
}

/**
 * The set's images at the DCGAN's `width` x `height` (a poster's 2:3, or square), uint8 RGB; the set's
 * own pixels when it was prepared at that size, else resized with sharp (the whole poster, stretched).
 */
export async function imagesAtSize(
  set: TrainingSet,
  size: { width: number; height: number },
): Promise<Uint8Array> {
  if (set.width === size.width && set.height === size.height) return set.pixels;
  const inBytes = set.width * set.height * 3;
  const outBytes = size.width * size.height * 3;
  const out = new Uint8Array(set.movies.length * outBytes);
  await mapConcurrent(set.movies, 4, async (_movie, i) => {
    const raw = set.pixels.subarray(i * inBytes, (i + 1) * inBytes);
    const buffer = await sharp(raw, { raw: { width: set.width, height: set.height, channels: 3 } })
      .resize(size.width, size.height, { fit: "fill" })
      .raw()
      .toBuffer();
    out.set(buffer, i * outBytes);
  });
  return out;
}
