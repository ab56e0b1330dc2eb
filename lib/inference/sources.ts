/**
 * Where the posters of `deno task predict` come from: files, every image of a folder, or URLs.
 *
 * ```ts
 * const sources = await expandSources(["poster.jpg", "posters/", "http://127.0.0.1:8000/0133093.jpg"]);
 * const bytes = await readSource(sources[0], { timeoutMs: 30_000, maxBytes: 20_000_000 });
 * ```
 *
 * @module
 */
import { basename } from "node:path";
import { PREDICT_DEFAULTS } from "../config.ts";
import { AttemptError, fetchImage } from "../dataset/download.ts";
import { imageFilesIn } from "../images/folder.ts";

/** A poster that could not be read: the message names it and says why. */
export class PosterSourceError extends Error {
  override name = "PosterSourceError";
}

/** Whether `text` is an http(s) URL (anything else is a path). */
export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

export { hasImageExtension } from "../images/folder.ts";

/**
 * The posters named by the command line, in order: a URL or a file as given, a folder replaced by
 * its image files (sorted by name, not recursive). A path that does not exist is kept, so that
 * reading it gives the error line for it; a folder without images is an error naming it.
 */
export async function expandSources(args: readonly string[]): Promise<string[]> {
  const sources: string[] = [];
  for (const arg of args) {
    if (isUrl(arg)) {
      sources.push(arg);
      continue;
    }
    const stat = await Deno.stat(arg).catch(() => undefined);
    if (!stat?.isDirectory) {
      sources.push(arg);
      continue;
    }
    const files = await imageFilesIn(arg);
    if (files.length === 0) {
      throw new PosterSourceError(
        `${arg} holds no ${
          PREDICT_DEFAULTS.imageExtensions.join(", ")
        } files: give image files, a folder of ` +
          `them, or URLs.`,
      );
    }
    sources.push(...files);
  }
  return sources;
}

/**
 * The bytes of a file or URL; a {@linkcode PosterSourceError} naming it when they can't be had. A URL
 * must answer, body included, within `timeoutMs`, with at most `maxBytes` (after decoding; default
 * lib/config.ts `MAX_POSTER_BYTES`).
 */
export async function readSource(
  source: string,
  limits: { timeoutMs: number; maxBytes?: number },
): Promise<Uint8Array> {
  if (isUrl(source)) {
    try {
      return await fetchImage(source, limits);
    } catch (error) {
      const reason = error instanceof AttemptError && error.kind === "timeout"
        ? `${error.message}; raise it with --timeout`
        : (error as Error).message;
      throw new PosterSourceError(`${source}: could not fetch the poster (${reason}).`);
    }
  }
  try {
    return await Deno.readFile(source);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    throw new PosterSourceError(`${source}: ${reason}.`);
  }
}

/**
 * The IMDb id a poster's name stands for (`0133093.jpg`, `tt0133093.png`, a URL ending in one), or
 * undefined: then the poster is not looked up in the dataset.
 */
export function imdbIdOfSource(source: string): number | undefined {
  const path = isUrl(source) ? new URL(source).pathname : source;
  const match = /^(?:tt)?(\d+)\.[a-z]+$/i.exec(basename(path));
  return match ? Number(match[1]) : undefined;
}
