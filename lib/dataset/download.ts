/**
 * `deno task data --download`: fetches missing posters from the CSV's `Poster` URLs.
 *
 * - bounded concurrency (at most `concurrency` requests at once);
 * - a timeout per attempt that covers the whole response, so a server that trickles bytes is cut off;
 * - retries with exponential backoff for timeouts, network errors, 408, 429 and 5xx; a 404 or other
 *   4xx is final;
 * - atomic writes: a poster gets its final name only once all its bytes are written;
 * - resume: posters already on disk are not fetched again, so a second run only tries the failures;
 * - a summary of every failure and why.
 *
 * @module
 */
import { Progress } from "../progress.ts";
import { mapConcurrent, removeStaleTempFiles, writeFileAtomic } from "./files.ts";
import { posterPath, postersDir } from "./paths.ts";
import type { Movie } from "./types.ts";

/** Options of {@linkcode downloadPosters}. */
export interface DownloadOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Milliseconds one attempt may take, body included (default 30 000). */
  timeoutMs?: number;
  /** Attempts after the first for retryable failures (default 3). */
  retries?: number;
  /** Wait before the first retry in ms; doubles each retry (default 1000). */
  backoffMs?: number;
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** One poster that could not be downloaded. */
export interface DownloadFailure {
  imdbId: number;
  url: string;
  /** E.g. `HTTP 404`, `timeout after 30000 ms`, `not an image (text/html)`. */
  reason: string;
  /** Attempts made. */
  attempts: number;
}

/** What a download run did. */
export interface DownloadResult {
  /** Posters fetched now. */
  downloaded: number;
  /** Movies whose poster was already on disk. */
  alreadyPresent: number;
  /** Movies without a poster file and without a URL. */
  noUrl: number;
  failed: DownloadFailure[];
}

class AttemptError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

/** Downloads the posters of `movies` that are missing from `dataDir/posters/`. */
export async function downloadPosters(
  dataDir: string,
  movies: readonly Movie[],
  hasPoster: (imdbId: number) => boolean,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const todo = movies.filter((m) => !hasPoster(m.imdbId) && m.posterUrl !== undefined);
  const alreadyPresent = movies.filter((m) => hasPoster(m.imdbId)).length;
  const noUrl = movies.length - alreadyPresent - todo.length;

  await removeStaleTempFiles(postersDir(dataDir));
  const failed: DownloadFailure[] = [];
  const progress = options.progress === false || todo.length === 0
    ? undefined
    : new Progress("download", todo.length, { unit: "posters" });
  await mapConcurrent(todo, options.concurrency ?? 8, async (movie) => {
    const url = movie.posterUrl!;
    for (let attempt = 1;; attempt++) {
      try {
        await writeFileAtomic(posterPath(dataDir, movie.imdbId), await fetchImage(url, timeoutMs));
        break;
      } catch (error) {
        const retryable = error instanceof AttemptError ? error.retryable : true;
        if (!retryable || attempt > retries) {
          const reason = error instanceof Error ? error.message : String(error);
          failed.push({ imdbId: movie.imdbId, url, reason, attempts: attempt });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
      }
    }
    progress?.tick(1, failed.length ? `${failed.length} failed` : undefined);
  });
  progress?.finish();
  return { downloaded: todo.length - failed.length, alreadyPresent, noUrl, failed };
}

/** Fetches one image within `timeoutMs` (headers and body); throws an {@linkcode AttemptError}. */
async function fetchImage(url: string, timeoutMs: number): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new AttemptError(`HTTP ${response.status}`, retryable);
    }
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof AttemptError) throw error;
    if (signal.aborted) throw new AttemptError(`timeout after ${timeoutMs} ms`, true);
    throw new AttemptError(`network error: ${error instanceof Error ? error.message : error}`, true);
  }
  if (bytes.length === 0) throw new AttemptError("empty response", true);
  if (!looksLikeImage(bytes)) throw new AttemptError("not a JPEG or PNG", false);
  return bytes;
}

/** JPEG (FF D8 FF) or PNG (89 50 4E 47) magic bytes. */
function looksLikeImage(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return jpeg || png;
}
