/**
 * `loadGenreData(config, split)`: the movies of a split with their resized posters as pixels and
 * their genres as multi-hot labels — the input of training and evaluation.
 *
 * Which movies: `selectMovies(catalog, config, split)` (see selection.ts): usable ones with a poster
 * file released in the config's years, having at least one of its genres, in the split (see
 * split.ts), in imdbId order; with `config.limit`, that many spread evenly over the split.
 *
 * Images come from `images/<ratio>/`. When some are missing, loading stops with the command that
 * makes them (`deno task data --resize <ratio>`), or resizes them first with `{ resize: true }`; for
 * posters that resize could not read (resize_posters.ts records them) it says to replace or delete
 * them instead, since resizing again can't help.
 * Decoded pixels are cached (see cache.ts): the first load decodes every image, later loads of the
 * same inputs read one file. After replacing posters, run `--resize` again: it rewrites the images
 * older than their posters, which in turn invalidates the cache.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ALL_GENRES, type DatasetConfig, imageSize } from "../config.ts";
import { decodeRgb, ImageError } from "../images/resize.ts";
import { Progress } from "../util/progress.ts";
import { pixelCachePath, readPixelCache, writePixelCache } from "./cache.ts";
import { loadCatalog } from "./catalog.ts";
import { listFileNames, statFiles } from "../util/files.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { imagePath, imagesDir } from "./paths.ts";
import { genreMatrix } from "./queries.ts";
import { selectMovies } from "./selection.ts";
import {
  resizeCommand as resizeCommandOf,
  resizePosters,
  stillUnreadable,
  unreadablePostersAdvice,
} from "./resize_posters.ts";
import type { GenreData, Movie, Split } from "./types.ts";

/** Options of {@linkcode loadGenreData}. */
export interface LoadOptions {
  /** Resize posters that have no image for the ratio yet instead of stopping (default false). */
  resize?: boolean;
  /** Show progress bars (default true). */
  progress?: boolean;
  /** Decode every image even when a cache exists, and rewrite the cache (default false). */
  refreshCache?: boolean;
}

/** Thrown when images for the ratio are missing; the message gives the command that makes them. */
export class MissingImagesError extends Error {
  override name = "MissingImagesError";
}

/** Loads a split for `config` (see the module doc). */
export async function loadGenreData(
  config: DatasetConfig,
  split: Split,
  options: LoadOptions = {},
): Promise<GenreData> {
  const { width, height } = imageSize(config.ratio);
  const unknown = config.genres.filter((g) => !(ALL_GENRES as readonly string[]).includes(g));
  if (unknown.length) {
    throw new Error(
      `Unknown genre ${unknown.map((g) => `"${g}"`).join(", ")}: use ${ALL_GENRES.join(", ")}.`,
    );
  }
  const catalog = await loadCatalog(config.dataDir);
  const movies = selectMovies(catalog, config, split);
  if (movies.length === 0) {
    const selection = `${config.minYear}-${config.maxYear} with any of ${config.genres.join(", ")}`;
    throw new Error(
      `No ${split} movies in ${config.dataDir} for ${selection}: widen the years or genres, ` +
        `or import posters (deno task data --from DIR).`,
    );
  }
  const stamps = await imageStamps(config, movies, options);

  const pixelsPerImage = height * width * 3;
  const cachePath = await pixelCachePath(config.dataDir, {
    ratio: config.ratio,
    width,
    height,
    split,
    images: movies.map((m) => ({ imdbId: m.imdbId, stamp: stamps.get(`${m.imdbId}.png`)! })),
  });
  let pixels = options.refreshCache
    ? undefined
    : await readPixelCache(cachePath, movies.length * pixelsPerImage);
  if (!pixels) {
    pixels = new Uint8Array(movies.length * pixelsPerImage);
    const progress = options.progress === false
      ? undefined
      : new Progress(`decode ${split} ${width}x${height}`, movies.length, { unit: "images" });
    await mapConcurrent(movies, navigator.hardwareConcurrency ?? 2, async (movie, row) => {
      const path = imagePath(config.dataDir, config.ratio, movie.imdbId);
      const rgb = await decodeRgb(path, { width, height }).catch((error) => {
        throw new ImageError(`${error.message} (or delete it and run \`${resizeCommand(config)}\`)`);
      });
      pixels!.set(rgb, row * pixelsPerImage);
      progress?.tick();
    });
    progress?.finish();
    await writePixelCache(cachePath, pixels);
  }
  return genreData(config, split, movies, pixels, [movies.length, height, width, 3]);
}

/** The command that writes the images of `config`. */
function resizeCommand(config: DatasetConfig): string {
  return resizeCommandOf(config.dataDir, config.ratio);
}

/** Stamps of the images of `movies`, after resizing missing ones or stopping with the command to run. */
async function imageStamps(config: DatasetConfig, movies: Movie[], options: LoadOptions) {
  const dir = imagesDir(config.dataDir, config.ratio);
  const names = movies.map((m) => `${m.imdbId}.png`);
  const present = new Set(await listFileNames(dir, (name) => name.endsWith(".png")));
  const missing = movies.filter((_, i) => !present.has(names[i])).map((m) => m.imdbId);
  if (missing.length && !options.resize) {
    const unreadable = await stillUnreadable(config.dataDir, config.ratio, missing);
    const advice = unreadable.length ? unreadablePostersAdvice(config.dataDir, config.ratio, unreadable) : "";
    if (unreadable.length === missing.length) {
      throw new MissingImagesError(
        `${missing.length} of ${movies.length} posters have no image in ${dir}: ${advice}`,
      );
    }
    const unreadableIds = new Set(unreadable.map((p) => p.imdbId));
    const resizable = missing.filter((id) => !unreadableIds.has(id));
    throw new MissingImagesError(
      `${resizable.length} of ${movies.length} posters have no image in ${dir} (e.g. ${resizable[0]}.png): ` +
        `run \`${resizeCommand(config)}\`, or load with { resize: true }.` +
        (advice ? ` Besides, ${advice}` : ""),
    );
  }
  if (missing.length) {
    const result = await resizePosters(config.dataDir, config.ratio, missing, { progress: options.progress });
    if (result.failed.length) {
      throw new MissingImagesError(unreadablePostersAdvice(config.dataDir, config.ratio, result.failed));
    }
  }
  return statFiles(dir, names); // only the selected images: the rest can't change the pixels
}

/** Wraps pixels and labels as {@linkcode GenreData}. */
export function genreData(
  config: DatasetConfig,
  split: Split,
  movies: Movie[],
  pixels: Uint8Array,
  shape: [number, number, number, 3],
): GenreData {
  const genres = [...config.genres];
  const labels = genreMatrix(movies, genres);
  const allRows = () => Array.from({ length: movies.length }, (_, i) => i);
  const checkRow = (row: number) => {
    if (!Number.isInteger(row) || row < 0 || row >= movies.length) {
      throw new RangeError(`Row ${row} is outside the ${movies.length} ${split} movies.`);
    }
  };
  return {
    config,
    split,
    genres,
    movies,
    shape,
    pixels,
    labels,
    images(indices = allRows()) {
      const per = shape[1] * shape[2] * 3;
      const out = new Float32Array(indices.length * per);
      for (let k = 0; k < indices.length; k++) {
        checkRow(indices[k]);
        const src = pixels.subarray(indices[k] * per, (indices[k] + 1) * per);
        for (let j = 0; j < per; j++) out[k * per + j] = src[j] / 255;
      }
      return tf.tensor4d(out, [indices.length, shape[1], shape[2], 3]);
    },
    labelTensor(indices = allRows()) {
      const g = genres.length;
      const out = new Float32Array(indices.length * g);
      for (let k = 0; k < indices.length; k++) {
        checkRow(indices[k]);
        for (let j = 0; j < g; j++) out[k * g + j] = labels[indices[k] * g + j];
      }
      return tf.tensor2d(out, [indices.length, g]);
    },
  };
}
