/**
 * `deno task data --resize 30,40,...`: writes `images/<ratio>/<imdbId>.png` for posters, with the
 * exact size of {@linkcode imageSize} (see lib/images/resize.ts for fit and format).
 *
 * Resumable: an image newer than its poster is kept. A poster that can't be read is reported in
 * {@linkcode ResizeResult.failed} with the reason; the others are still resized.
 *
 * @module
 */
import { imageSize } from "../config.ts";
import { Progress } from "../util/progress.ts";
import { resizeToPng } from "../images/resize.ts";
import { listFiles, removeStaleTempFiles, writeFileAtomic } from "../util/files.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { imagePath, imagesDir, posterPath, postersDir } from "./paths.ts";

/** Options of {@linkcode resizePosters}. */
export interface ResizeOptions {
  /** Posters resized at once (default: the number of CPU cores). */
  concurrency?: number;
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** What a resize did. */
export interface ResizeResult {
  ratio: number;
  /** Images written now. */
  written: number;
  /** Images already newer than their poster (kept). */
  upToDate: number;
  /** Posters that could not be resized, with the reason. */
  failed: { imdbId: number; reason: string }[];
}

/** Resizes the posters of `imdbIds` (whose poster files exist) for `ratio`. */
export async function resizePosters(
  dataDir: string,
  ratio: number,
  imdbIds: readonly number[],
  options: ResizeOptions = {},
): Promise<ResizeResult> {
  const size = imageSize(ratio);
  await removeStaleTempFiles(imagesDir(dataDir, ratio));
  const images = await listFiles(imagesDir(dataDir, ratio));
  const posters = await listFiles(postersDir(dataDir));
  const todo: number[] = [];
  let upToDate = 0;
  for (const id of imdbIds) {
    const image = images.get(`${id}.png`);
    const poster = posters.get(`${id}.jpg`);
    if (image && poster && image.mtimeMs >= poster.mtimeMs) upToDate++;
    else todo.push(id);
  }
  const failed: ResizeResult["failed"] = [];
  const progress = options.progress === false || todo.length === 0
    ? undefined
    : new Progress(`resize ${ratio}% (${size.width}x${size.height})`, todo.length, { unit: "posters" });
  await mapConcurrent(todo, options.concurrency ?? navigator.hardwareConcurrency ?? 2, async (id) => {
    try {
      await writeFileAtomic(imagePath(dataDir, ratio, id), await resizeToPng(posterPath(dataDir, id), size));
    } catch (error) {
      failed.push({ imdbId: id, reason: error instanceof Error ? error.message : String(error) });
    }
    progress?.tick(1, failed.length ? `${failed.length} failed` : undefined);
  });
  progress?.finish();
  return { ratio, written: todo.length - failed.length, upToDate, failed };
}
