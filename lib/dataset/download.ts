/**
 * `deno task data --download`: fetches missing posters from the CSV's `Poster` URLs.
 *
 * - bounded concurrency (at most `concurrency` requests at once);
 * - a timeout per attempt that covers the whole response, so a server that trickles bytes is cut off;
 * - retries with exponential backoff for timeouts, network errors, 408, 429 and 5xx; a 404 or other
 *   4xx is final;
 * - atomic writes: a poster gets its final name only once all its bytes are written;
 * - resume: posters already on disk are not fetched again, so a second run only tries the failures;
 * - a summary of every failure and why;
 * - a stop when the network is plainly down: after `giveUpAfter` network errors or timeouts in a row
 *   (each after its retries) with no success in between, the remaining posters are not tried.
 *
 * @module
 */
import { Progress } from "../util/progress.ts";
import { removeStaleTempFiles, writeFileAtomic } from "../util/files.ts";
import { mapConcurrent } from "../util/concurrent.ts";
import { posterPath, postersDir } from "./paths.ts";
import type { Movie } from "./types.ts";
import { DEFAULT_DOWNLOAD_CONCURRENCY } from "../config.ts";

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
  /** Stop after this many network failures in a row, retries included (default 20). */
  giveUpAfter?: number;
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** One poster that could not be downloaded. */
export interface DownloadFailure {
  imdbId: number;
  url: string;
  /** E.g. `HTTP 404`, `timeout after 30000 ms`, `not an image (text/html)`. */
  reason: string;
  /** Attempts made (0: not tried because the run stopped, see {@linkcode DownloadOptions.giveUpAfter}). */
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

/** A failed attempt: `retryable` for timeouts, network errors, 408, 429, 5xx; `network` when no HTTP answer came. */
class AttemptError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly network = false) {
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
  const giveUpAfter = options.giveUpAfter ?? 20;
  let networkFailuresInARow = 0;
  let stopped: string | undefined;
  const failed: DownloadFailure[] = [];
  const progress = options.progress === false || todo.length === 0
    ? undefined
    : new Progress("download", todo.length, { unit: "posters" });

  /** Fetches one poster with retries; the failure, or undefined when it was saved. */
  const download = async (imdbId: number, url: string): Promise<DownloadFailure | undefined> => {
    for (let attempt = 1;; attempt++) {
      if (stopped) return { imdbId, url, reason: stopped, attempts: attempt - 1 };
      try {
        await writeFileAtomic(posterPath(dataDir, imdbId), await fetchImage(url, timeoutMs));
        networkFailuresInARow = 0;
        return undefined;
      } catch (error) {
        const failure = error instanceof AttemptError ? error : new AttemptError(String(error), true, true);
        if (failure.retryable && attempt <= retries) {
          await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
          continue;
        }
        if (failure.network && ++networkFailuresInARow >= giveUpAfter && !stopped) {
          stopped =
            `not tried: stopped after ${networkFailuresInARow} network failures in a row (is the network up?)`;
        }
        return { imdbId, url, reason: failure.message, attempts: attempt };
      }
    }
  };

  await mapConcurrent(todo, options.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY, async (movie) => {
    const failure = await download(movie.imdbId, movie.posterUrl!);
    if (failure) failed.push(failure);
    progress?.tick(1, failed.length ? `${failed.length} failed` : undefined);
  });
  progress?.finish();
  return { downloaded: todo.length - failed.length, alreadyPresent, noUrl, failed };
}

/**
 * Fetches one image within `timeoutMs` (headers and body); throws an {@linkcode AttemptError} whose
 * message says what went wrong (`HTTP 404`, `timeout after 30000 ms`, ...). Also used by `deno task predict`.
 */
export async function fetchImage(url: string, timeoutMs: number): Promise<Uint8Array> {
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
    if (signal.aborted) throw new AttemptError(`timeout after ${timeoutMs} ms`, true, true);
    throw new AttemptError(`network error: ${networkReason(error)}`, true, true);
  }
  if (bytes.length === 0) throw new AttemptError("empty response", true);
  if (!looksLikeImage(bytes)) throw new AttemptError("not a JPEG, PNG or WebP", false);
  return bytes;
}

/** The most telling part of a fetch error: Deno puts the DNS or connect error in `cause`, after the URL. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause ? cause.replace(/^error sending request for url \([^)]*\): /, "") : error.message;
}

/** JPEG (FF D8 FF), PNG (89 50 4E 47) or WebP (RIFF ... WEBP) magic bytes. */
function looksLikeImage(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  const webp = ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP";
  return jpeg || png || webp;
}
