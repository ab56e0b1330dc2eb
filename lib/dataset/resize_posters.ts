/**
 * `deno task data --resize 30,40,...`: writes `images/<ratio>/<imdbId>.png` for posters, with the
 * exact size of {@linkcode imageSize} (see lib/images/resize.ts for fit and format).
 *
 * Resumable: an image newer than its poster is kept. A poster that can't be read is reported in
 * {@linkcode ResizeResult.failed} with the reason; the others are still resized. Such posters are
 * recorded in `images/<ratio>/unreadable.json` (until a resize of them works), so loading can tell
 * an image that `--resize` will make from one it never can ({@linkcode unreadablePostersAdvice}).
 *
 * @module
 */
import { imageSize } from "../config.ts";
import { Progress } from "../util/progress.ts";
import { resizeToPng } from "../images/resize.ts";
import { join } from "node:path";
import {
  type FileStamp,
  listFiles,
  readTextIfExists,
  removeStaleTempFiles,
  writeFileAtomic,
  writeJsonAtomically,
} from "../util/files.ts";
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

/** A poster that {@linkcode resizePosters} could not read, as `unreadable.json` records it. */
export interface UnreadablePoster {
  imdbId: number;
  reason: string;
  /** The poster file's size and mtime when it failed: a poster replaced since is not counted. */
  size: number;
  mtimeMs: number;
}

/** The record of unreadable posters of a ratio: `images/<ratio>/unreadable.json`. */
export function unreadablePostersPath(dataDir: string, ratio: number): string {
  return join(imagesDir(dataDir, ratio), "unreadable.json");
}

/** The posters recorded as unreadable for `ratio` (empty when none). */
export async function readUnreadablePosters(dataDir: string, ratio: number): Promise<UnreadablePoster[]> {
  const text = await readTextIfExists(unreadablePostersPath(dataDir, ratio));
  if (text === undefined) return [];
  try {
    const list = JSON.parse(text);
    return Array.isArray(list) ? list.filter((p) => Number.isInteger(p?.imdbId)) : [];
  } catch {
    return []; // a damaged record only loses the advice; the next resize rewrites it
  }
}

/**
 * Of `imdbIds`, the posters recorded as unreadable whose file is still the one that failed (same size
 * and mtime).
 */
export async function stillUnreadable(
  dataDir: string,
  ratio: number,
  imdbIds: readonly number[],
): Promise<UnreadablePoster[]> {
  const recorded = new Map((await readUnreadablePosters(dataDir, ratio)).map((p) => [p.imdbId, p]));
  return imdbIds.filter((id) => recorded.has(id)).map((id) => recorded.get(id)!).filter((p) => {
    const stamp = posterStamp(dataDir, p.imdbId);
    return stamp !== undefined && stamp.size === p.size && stamp.mtimeMs === p.mtimeMs;
  });
}

/** Size and mtime of a poster file, or undefined when there is none. */
function posterStamp(dataDir: string, imdbId: number): FileStamp | undefined {
  try {
    const info = Deno.statSync(posterPath(dataDir, imdbId));
    return info.isFile ? { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 } : undefined;
  } catch {
    return undefined;
  }
}

/** The command that writes the images of `ratio` in `dataDir`. */
export function resizeCommand(dataDir: string, ratio: number): string {
  return `deno task data --resize ${ratio}${dataDir === "data" ? "" : ` --data-dir ${dataDir}`}`;
}

/**
 * What to do about posters that can't be read: `data --resize` makes no image of them however often it
 * runs, so they must be replaced or removed (the films are then left out). Names the first few and
 * where the whole list is.
 */
export function unreadablePostersAdvice(
  dataDir: string,
  ratio: number,
  failed: readonly { imdbId: number; reason: string }[],
): string {
  const shown = 10;
  const paths = failed.slice(0, shown).map((f) => posterPath(dataDir, f.imdbId));
  const more = failed.length > shown ? ` ... (${failed.length - shown} more)` : "";
  const n = failed.length === 1 ? "1 poster" : `${failed.length} posters`;
  return `${n} can't be read, so \`${resizeCommand(dataDir, ratio)}\` makes no image of ` +
    `${failed.length === 1 ? "it" : "them"} however often it runs (e.g. ${failed[0].reason}). Replace ` +
    `${failed.length === 1 ? "it" : "each"} with a readable JPEG and resize again, or delete ` +
    `${failed.length === 1 ? "it" : "them"} so that training leaves ${
      failed.length === 1 ? "its film" : "those films"
    } out: rm ${paths.join(" ")}${more} (the list is in ${unreadablePostersPath(dataDir, ratio)}).`;
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
  await recordUnreadable(dataDir, ratio, todo, failed);
  return { ratio, written: todo.length - failed.length, upToDate, failed };
}

/** Updates `unreadable.json`: the posters of `tried` that failed now are in it, the others are not. */
async function recordUnreadable(
  dataDir: string,
  ratio: number,
  tried: readonly number[],
  failed: ResizeResult["failed"],
): Promise<void> {
  const path = unreadablePostersPath(dataDir, ratio);
  const before = await readUnreadablePosters(dataDir, ratio);
  const triedNow = new Set(tried);
  const record = new Map(before.filter((p) => !triedNow.has(p.imdbId)).map((p) => [p.imdbId, p]));
  for (const { imdbId, reason } of failed) {
    const stamp = posterStamp(dataDir, imdbId);
    if (stamp) record.set(imdbId, { imdbId, reason, size: stamp.size, mtimeMs: stamp.mtimeMs });
  }
  const list = [...record.values()].sort((a, b) => a.imdbId - b.imdbId);
  if (list.length === 0) {
    if (before.length) await Deno.remove(path).catch(() => {});
    return;
  }
  if (JSON.stringify(list) !== JSON.stringify(before)) await writeJsonAtomically(path, list);
}
