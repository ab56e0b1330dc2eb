/**
 * `deno task data --download`: fetches missing posters from the CSV's `Poster` URLs.
 *
 * - bounded concurrency (at most `concurrency` requests at once);
 * - a timeout per attempt that covers the whole response, so a server that trickles bytes is cut off;
 * - a size limit per poster ({@linkcode MAX_POSTER_BYTES}, counted after decoding): an endless body or a
 *   gzip bomb is cut off there, so memory stays bounded (lib/util/fetch.ts);
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
import { DEFAULT_DOWNLOAD_CONCURRENCY, MAX_POSTER_BYTES } from "../config.ts";
import { fetchBytes, FetchError, type FetchErrorKind } from "../util/fetch.ts";

/** Options of {@linkcode downloadPosters}. */
export interface DownloadOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Milliseconds one attempt may take, body included (default 30 000). */
  timeoutMs?: number;
  /** Most bytes of one poster, after decoding (default {@linkcode MAX_POSTER_BYTES}); more fails at once. */
  maxBytes?: number;
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
  /**
   * E.g. `HTTP 404`, `timeout after 30000 ms`, `more than the 20 MB limit; raise it with --max-poster-mb`,
   * `not a JPEG, PNG or WebP`.
   */
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

/**
 * A failed attempt of {@linkcode fetchImage}; its message says why without the URL. `retryable` for
 * timeouts, network errors, 408, 429, 5xx; `network` when no HTTP answer came; `kind` as in lib/util/fetch.ts
 * (undefined when the bytes came but are no image).
 */
export class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly network = false,
    readonly kind?: FetchErrorKind,
  ) {
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
  const maxBytes = options.maxBytes ?? MAX_POSTER_BYTES;
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
        await writeFileAtomic(posterPath(dataDir, imdbId), await fetchImage(url, { timeoutMs, maxBytes }));
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
 * Fetches one image within `timeoutMs` (headers and body) and `maxBytes` (after decoding; default
 * {@linkcode MAX_POSTER_BYTES}), through lib/util/fetch.ts `fetchBytes`; throws an {@linkcode AttemptError}
 * whose message says what went wrong (`HTTP 404`, `timeout after 30000 ms`, `more than the 20 MB limit;
 * raise it with --max-poster-mb`). Also used by `deno task predict`.
 */
export async function fetchImage(
  url: string,
  limits: { timeoutMs: number; maxBytes?: number; signal?: AbortSignal },
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(url, { ...limits, maxBytes: limits.maxBytes ?? MAX_POSTER_BYTES });
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    switch (error.kind) {
      case "http": {
        const status = error.status!;
        throw new AttemptError(
          error.reason,
          status === 408 || status === 429 || status >= 500,
          false,
          "http",
        );
      }
      case "too-large": // the same server sends the same again: final
        throw new AttemptError(`${error.reason}; raise it with --max-poster-mb`, false, false, "too-large");
      default: { // a timeout or network error is worth retrying; the caller's abort is not
        const retry = error.kind !== "aborted";
        throw new AttemptError(error.reason, retry, retry, error.kind);
      }
    }
  }
  if (bytes.length === 0) throw new AttemptError("empty response", true);
  if (!looksLikeImage(bytes)) throw new AttemptError("not a JPEG, PNG or WebP", false);
  return bytes;
}

/** JPEG (FF D8 FF), PNG (89 50 4E 47) or WebP (RIFF ... WEBP) magic bytes. */
function looksLikeImage(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  const webp = ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP";
  return jpeg || png || webp;
}
