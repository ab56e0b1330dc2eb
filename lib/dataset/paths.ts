/**
 * Where each file of a dataset folder lives. Every module finds files through these, so the layout
 * is written down once:
 *
 * ```
 * <dataDir>/MovieGenre.csv           the movie table (Kaggle layout)
 * <dataDir>/posters/<imdbId>.jpg     posters as imported or downloaded
 * <dataDir>/images/<ratio>/<imdbId>.png  posters resized for a ratio (lossless PNG, RGB)
 * <dataDir>/cache/                   decoded-pixel caches of loadGenreData
 * ```
 *
 * @module
 */
import { join } from "node:path";

/** The movie table of a dataset folder. */
export function csvPath(dataDir: string): string {
  return join(dataDir, "MovieGenre.csv");
}

/** The folder of full-size posters. */
export function postersDir(dataDir: string): string {
  return join(dataDir, "posters");
}

/** The full-size poster of a movie. */
export function posterPath(dataDir: string, imdbId: number): string {
  return join(postersDir(dataDir), `${imdbId}.jpg`);
}

/** The folder of posters resized for `ratio`. */
export function imagesDir(dataDir: string, ratio: number): string {
  return join(dataDir, "images", String(ratio));
}

/** The resized poster of a movie for `ratio`. */
export function imagePath(dataDir: string, ratio: number, imdbId: number): string {
  return join(imagesDir(dataDir, ratio), `${imdbId}.png`);
}

/** The folder of decoded-pixel caches. */
export function cacheDir(dataDir: string): string {
  return join(dataDir, "cache");
}

/** The imdbId a poster or image file name stands for (`114709.jpg` → 114709), or undefined. */
export function imdbIdOfFile(name: string): number | undefined {
  const match = /^(\d+)\.(jpg|png)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
